import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FrontendOpsError } from '../errors.js';

/** The sandbox only ever listens on loopback: it signs with throw-away credentials and has no auth. */
export const SANDBOX_HOST = '127.0.0.1';

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s) is shorter than the pauses
 * between a deployer's requests (an invalidation wait, a test's look at the buckets): a client that
 * reuses a connection just as the server closes it gets ECONNRESET, a fault real S3 does not produce at
 * that rate. Clients keep idle sockets open, so the server is the one that must wait longer.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 60_000;

/** Listens on 127.0.0.1:`port` (0 = any free port) and resolves with the bound port. */
export async function listen(server: Server, port: number, what: string): Promise<number> {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Headers of a request on a kept-alive connection must be allowed at least as long as it stays open.
  server.headersTimeout = Math.max(server.headersTimeout, KEEP_ALIVE_TIMEOUT_MS + 1_000);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new FrontendOpsError('SANDBOX_BUSY', `port ${port} (${what}) is already in use`, {
            hint: 'Stop whatever holds the port, pick another --port, or leave --port out to use free ports.',
            cause: error,
          }),
        );
      } else {
        reject(
          new FrontendOpsError('SANDBOX_FAILED', `${what} could not listen: ${error.message}`, {
            cause: error,
          }),
        );
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, SANDBOX_HOST);
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server and every connection it holds (keep-alive sockets would otherwise delay close). */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
