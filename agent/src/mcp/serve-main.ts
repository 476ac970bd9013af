import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { toFrontendOpsError } from '../errors.js';
import type { SessionServer } from './http/serve.js';
import { resolveHttpSettings, TOKEN_ENV, takeHttpFlag } from './http/settings.js';

export interface ServerFactory {
  /** A new MCP server over the shared backend: stdio uses one, HTTP one per session. */
  newServer: () => SessionServer;
  /** Releases what the servers share (clients, caches), after the last server closed. */
  close?: () => Promise<void>;
  /** One line for the "ready" log: which backend, never a secret. */
  description: string;
}

/**
 * What every FrontendOps MCP bin does: split `--http [HOST:]PORT` from its own flags, build its
 * backend once, and serve it over stdio (the default) or Streamable HTTP until a signal (or, on stdio,
 * the end of stdin). stdout is the protocol on stdio, so every human line goes to stderr; a
 * configuration error ends the process with exit code 2 and its code on stderr.
 */
export async function runServerMain(
  name: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  start: (log: (line: string) => void, args: string[]) => ServerFactory | Promise<ServerFactory>,
): Promise<void> {
  const log = (line: string) => process.stderr.write(`${name}: ${line}\n`);
  let stop: (() => Promise<void>) | undefined;
  let release: (() => Promise<void>) | undefined;
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    void Promise.resolve(stop?.())
      .then(() => release?.())
      .finally(() => process.exit(0));
  };
  try {
    const { http, rest } = takeHttpFlag(argv);
    const settings = http === undefined ? undefined : resolveHttpSettings(http, env);
    const factory = await start(log, rest);
    release = factory.close;
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    if (settings === undefined) {
      const { server } = factory.newServer();
      stop = () => server.close();
      await server.connect(new StdioServerTransport());
      process.stdin.on('end', shutdown);
      log(`ready (${factory.description})`);
    } else {
      // Loaded for --http only: the SDK's HTTP transport brings a web framework and Node's fetch
      // implementation, which a stdio server (one per agent command) would load for nothing.
      const { serveMcpOverHttp } = await import('./http/serve.js');
      const served = await serveMcpOverHttp({ settings, newServer: factory.newServer, log });
      stop = () => served.close();
      log(`listening on ${served.url} (${factory.description}; bearer token from ${TOKEN_ENV} required)`);
    }
  } catch (error) {
    const failure = toFrontendOpsError(error);
    log(`${failure.code}: ${failure.message}${failure.hint === undefined ? '' : ` (${failure.hint})`}`);
    process.exit(2);
  }
}
