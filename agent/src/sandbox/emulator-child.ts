/**
 * Entry point of the S3 emulator child process. It runs under Node >= 22.5 (fauxqs imports `node:sqlite`),
 * which is why it is a separate process at all. It binds fauxqs to 127.0.0.1 only (fauxqs's own CLI listens
 * on every interface) on the port given, reports the port over the IPC channel, and exits when the parent
 * says so, when it gets SIGTERM, or when the IPC channel closes because the parent died: the emulator never
 * outlives the sandbox.
 *
 * Usage: node emulator-child.js <file:// URL of fauxqs dist/app.js> <port>
 * Kept free of relative imports so that Node 24 can also run the .ts source directly (type stripping).
 */

interface FastifyLike {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
  server: { address(): { port: number } | string | null };
}

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'error'; code: string | undefined; message: string };

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [appUrl, portText] = process.argv.slice(2);
  if (appUrl === undefined) throw new Error('usage: emulator-child <fauxqs app.js URL> <port>');
  const fauxqs = (await import(appUrl)) as { buildApp: (options: { logger: boolean }) => FastifyLike };
  const app = fauxqs.buildApp({ logger: false });
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    app.close().finally(() => process.exit(0));
    // A hung close must not keep the process alive.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', shutdown);
  // Ctrl-C in a terminal signals the whole process group. The parent decides when the emulator stops (it
  // sends 'stop', or its exit closes the IPC channel); dying first would look like a crash to it.
  process.on('SIGINT', () => undefined);
  process.on('disconnect', shutdown);
  process.on('message', (message) => {
    if ((message as { type?: string }).type === 'stop') shutdown();
  });
  try {
    await app.listen({ host: '127.0.0.1', port: Number(portText ?? '0') });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    send({ type: 'error', code: err.code, message: err.message });
    process.exit(1);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  send({ type: 'ready', port });
}

main().catch((error: unknown) => {
  send({ type: 'error', code: undefined, message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
