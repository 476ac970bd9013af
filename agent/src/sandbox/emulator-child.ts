/**
 * Entry point of the S3 emulator child process. It runs under Node >= 22.5 (fauxqs imports `node:sqlite`),
 * which is why it is a separate process at all. It binds fauxqs to 127.0.0.1 only (fauxqs's own CLI listens
 * on every interface) on the port given, reports the port over the IPC channel, and exits when the parent
 * says so, when it gets SIGTERM, or when the IPC channel closes because the parent died: the emulator never
 * outlives the sandbox.
 *
 * Usage: node emulator-child.js <file:// URL of fauxqs dist/app.js> <port> [<S3 storage dir>]
 * With a storage dir, S3 buckets and objects live there as files (fauxqs's file-based S3 storage) and survive
 * a restart; without one they live in memory. Kept free of relative imports so that Node 24 can also run the
 * .ts source directly (type stripping).
 */

interface FastifyLike {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
  addHook(name: 'preClose', hook: () => void): void;
  server: { address(): { port: number } | string | null };
}

/** fauxqs's S3 store and its file-based persistence (not in its package exports; imported by file URL). */
interface S3StoreLike {
  persistence: unknown;
}
interface FileS3PersistenceLike {
  loadS3(store: S3StoreLike): void;
  close(): void;
}

type BuildApp = (options: { logger: boolean; stores?: { s3Store: S3StoreLike } }) => FastifyLike;

/**
 * The app with S3 kept as files under `storageDir`, wired the way fauxqs's own `startFauxqs` wires its
 * `s3StorageDir` option: load what is on disk first, then attach the persistence so every write goes through
 * to disk. `startFauxqs` itself cannot be used: it listens on every interface.
 */
async function buildPersistentApp(
  appUrl: string,
  buildApp: BuildApp,
  storageDir: string,
): Promise<FastifyLike> {
  const { S3Store } = (await import(new URL('./s3/s3Store.js', appUrl).href)) as {
    S3Store: new () => S3StoreLike;
  };
  const { FileS3Persistence } = (await import(new URL('./s3/fileS3Persistence.js', appUrl).href)) as {
    FileS3Persistence: new (dir: string) => FileS3PersistenceLike;
  };
  const s3Store = new S3Store();
  const persistence = new FileS3Persistence(storageDir);
  persistence.loadS3(s3Store);
  s3Store.persistence = persistence;
  const app = buildApp({ logger: false, stores: { s3Store } });
  app.addHook('preClose', () => persistence.close());
  return app;
}

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'error'; code: string | undefined; message: string };

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [appUrl, portText, storageDir] = process.argv.slice(2);
  if (appUrl === undefined)
    throw new Error('usage: emulator-child <fauxqs app.js URL> <port> [<S3 storage dir>]');
  const fauxqs = (await import(appUrl)) as { buildApp: BuildApp };
  const app =
    storageDir === undefined || storageDir === ''
      ? fauxqs.buildApp({ logger: false })
      : await buildPersistentApp(appUrl, fauxqs.buildApp, storageDir);
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
