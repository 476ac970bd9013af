import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { toFrontendOpsError } from '../../errors.js';
import { describeConfig, resolvePulumiServerConfig } from './config.js';
import { createPulumiToolDeps } from './deps-factory.js';
import { createServer, PULUMI_SERVER_NAME } from './server.js';

// stdout carries the MCP protocol: everything human-readable goes to stderr.
const log = (line: string) => process.stderr.write(`${PULUMI_SERVER_NAME}: ${line}\n`);

try {
  const config = resolvePulumiServerConfig(process.argv.slice(2), process.env);
  const { server, close } = createServer(createPulumiToolDeps(config, process.env, log));
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    void close().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.stdin.on('end', shutdown);
  await server.connect(new StdioServerTransport());
  log(`ready (${describeConfig(config)})`);
} catch (error) {
  const failure = toFrontendOpsError(error);
  log(`${failure.code}: ${failure.message}${failure.hint === undefined ? '' : ` (${failure.hint})`}`);
  process.exit(2);
}
