import { runStdioServer } from '../stdio-main.js';
import { describeConfig, resolvePulumiServerConfig } from './config.js';
import { createPulumiToolDeps } from './deps-factory.js';
import { createServer, PULUMI_SERVER_NAME } from './server.js';

await runStdioServer(PULUMI_SERVER_NAME, (log) => {
  const config = resolvePulumiServerConfig(process.argv.slice(2), process.env);
  const { server, close } = createServer(createPulumiToolDeps(config, process.env, log));
  return { server, close, description: describeConfig(config) };
});
