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
interface StoredObjectLike {
  key: string;
}
interface ListOptionsLike {
  prefix?: string;
  delimiter?: string;
  maxKeys?: number;
  startAfter?: string;
  marker?: string;
}
interface ListResultLike {
  objects: StoredObjectLike[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
interface S3StoreLike {
  persistence: unknown;
  buckets: Map<string, Map<string, StoredObjectLike>>;
  listObjects(bucket: string, options?: ListOptionsLike): ListResultLike;
}

/**
 * S3 lists keys in the binary order of their UTF-8 bytes. fauxqs sorts them with `localeCompare` but skips
 * the keys before a continuation token or StartAfter with `<=`, two orders that disagree on case and
 * punctuation: a key like `B.js` after a page of `a…` keys was never listed. Code-unit order is UTF-8 order
 * unless a key holds a character above U+FFFF, when the bytes are compared.
 */
function s3KeyOrder(keys: readonly string[]): (a: string, b: string) => number {
  if (!keys.some((k) => /[\uD800-\uDFFF]/.test(k))) return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  return (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** fauxqs's `listObjects` (prefix, delimiter, maxKeys, startAfter/marker) in S3's key order. */
function listInS3Order(store: S3StoreLike, bucket: string, options: ListOptionsLike = {}): ListResultLike {
  const objectsMap = store.buckets.get(bucket) ?? new Map<string, StoredObjectLike>();
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter;
  const maxKeys = options.maxKeys ?? 1000;
  const startAfter = options.startAfter || options.marker || '';
  const candidates = [...objectsMap.values()].filter((o) => o.key.startsWith(prefix));
  const order = s3KeyOrder([...candidates.map((o) => o.key), startAfter]);
  candidates.sort((a, b) => order(a.key, b.key));
  const objects: StoredObjectLike[] = [];
  const prefixes = new Set<string>();
  let count = 0;
  let isTruncated = false;
  for (const object of candidates) {
    if (startAfter !== '' && order(object.key, startAfter) <= 0) continue;
    if (delimiter) {
      const at = object.key.indexOf(delimiter, prefix.length);
      if (at >= 0) {
        const common = object.key.slice(0, at + delimiter.length);
        if (startAfter !== '' && order(common, startAfter) <= 0) continue;
        if (!prefixes.has(common)) {
          if (count >= maxKeys) {
            isTruncated = true;
            break;
          }
          prefixes.add(common);
          count += 1;
        }
        continue;
      }
    }
    if (count >= maxKeys) {
      isTruncated = true;
      break;
    }
    objects.push(object);
    count += 1;
  }
  return { objects, commonPrefixes: [...prefixes].sort(order), isTruncated };
}

/** The store, with its listings in S3's key order. */
function withS3ListOrder(store: S3StoreLike): S3StoreLike {
  const fauxqsList = store.listObjects;
  store.listObjects = (bucket, options) =>
    store.buckets.has(bucket)
      ? listInS3Order(store, bucket, options)
      : fauxqsList.call(store, bucket, options);
  return store;
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
async function newS3Store(appUrl: string): Promise<S3StoreLike> {
  const { S3Store } = (await import(new URL('./s3/s3Store.js', appUrl).href)) as {
    S3Store: new () => S3StoreLike;
  };
  return withS3ListOrder(new S3Store());
}

async function buildPersistentApp(
  appUrl: string,
  buildApp: BuildApp,
  storageDir: string,
): Promise<FastifyLike> {
  const { FileS3Persistence } = (await import(new URL('./s3/fileS3Persistence.js', appUrl).href)) as {
    FileS3Persistence: new (dir: string) => FileS3PersistenceLike;
  };
  const s3Store = await newS3Store(appUrl);
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
      ? fauxqs.buildApp({ logger: false, stores: { s3Store: await newS3Store(appUrl) } })
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
