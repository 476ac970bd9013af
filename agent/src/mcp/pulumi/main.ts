import { runServerMain } from '../serve-main.js';
import { describeConfig, resolvePulumiServerConfig } from './config.js';
import { createPulumiToolDeps } from './deps-factory.js';
import { createServer, PULUMI_SERVER_NAME } from './server.js';

// The pulumi server process: its config from flags and environment, its backend,
// served over stdio or --http. bin.ts loads it.
await runServerMain(PULUMI_SERVER_NAME, process.argv.slice(2), process.env, (log, args) => {
  const config = resolvePulumiServerConfig(args, process.env);
  // One set of clients for every session (HTTP serves each session its own McpServer).
  const deps = createPulumiToolDeps(config, process.env, log);
  return { newServer: () => createServer(deps), description: describeConfig(config) };
});
