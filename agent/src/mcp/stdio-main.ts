import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { toFrontendOpsError } from '../errors.js';

export interface StartedServer {
  server: McpServer;
  close: () => Promise<void>;
  /** One line for the "ready" log: which backend, never a secret. */
  description: string;
}

/**
 * What every FrontendOps MCP bin does: build the server, serve it over stdio, stop cleanly when the
 * client goes away or a signal arrives. stdout carries the protocol, so every human line goes to stderr;
 * a configuration error ends the process with exit code 2 and its code on stderr.
 */
export async function runStdioServer(
  name: string,
  start: (log: (line: string) => void) => StartedServer,
): Promise<void> {
  const log = (line: string) => process.stderr.write(`${name}: ${line}\n`);
  try {
    const { server, close, description } = start(log);
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
    log(`ready (${description})`);
  } catch (error) {
    const failure = toFrontendOpsError(error);
    log(`${failure.code}: ${failure.message}${failure.hint === undefined ? '' : ` (${failure.hint})`}`);
    process.exit(2);
  }
}
