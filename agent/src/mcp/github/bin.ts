import { runStdioServer } from '../stdio-main.js';
import { createBackendFromConfig } from './backend-factory.js';
import { describeConfig, resolveGitHubServerConfig } from './config.js';
import { createServer, GITHUB_SERVER_NAME } from './server.js';

await runStdioServer(GITHUB_SERVER_NAME, (log) => {
  const config = resolveGitHubServerConfig(process.argv.slice(2), process.env, process.cwd());
  const now = () => new Date();
  const { server, close } = createServer({
    backend: createBackendFromConfig(config, { log, now }),
    now,
    log,
  });
  return { server, close, description: describeConfig(config) };
});
