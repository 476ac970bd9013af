import { createRedactor, secretValuesFromEnv } from '../../audit/redact.js';
import { runServerMain } from '../serve-main.js';
import { createBackendFromConfig } from './backend-factory.js';
import { describeConfig, resolveGitHubServerConfig } from './config.js';
import { createServer, GITHUB_SERVER_NAME } from './server.js';

// The github server process: its config from flags and environment, its backend,
// served over stdio or --http. bin.ts loads it.
await runServerMain(GITHUB_SERVER_NAME, process.argv.slice(2), process.env, async (log, args) => {
  const config = resolveGitHubServerConfig(args, process.env, process.cwd());
  const now = () => new Date();
  // One backend for every session: the git backend's tag lock and Octokit's rate limiter are shared.
  const backend = await createBackendFromConfig(config, { log, now });
  // The token this server holds is redacted by value too, should a commit ever carry it.
  const redactor = createRedactor(secretValuesFromEnv(process.env));
  return {
    newServer: () => createServer({ backend, now, log, redactor }),
    description: describeConfig(config),
  };
});
