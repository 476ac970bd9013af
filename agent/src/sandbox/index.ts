import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { SANDBOX_CREDENTIALS } from '../aws/endpoints.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { parseWith } from '../validation.js';
import { startCloudFrontApi } from './cloudfront-api.js';
import { sandboxConfig, writeSandboxConfig } from './config.js';
import { acquireDirLock, type DirLock, LOCK_FILE } from './dir-lock.js';
import { startEdge } from './edge.js';
import { type Emulator, startEmulator } from './emulator.js';
import { FAULT_KINDS, type FaultKind, FaultSettingsSchema } from './faults.js';
import { createScratchRepo, refreshScratchRepo } from './git.js';
import { cloudFrontStyleId, InvalidationStore } from './invalidations.js';
import { findAgentRoot, findCheckoutRoot, hostingProjectDir } from './paths.js';
import { readSandboxRecord, SANDBOX_MARKER, writeSandboxRecord } from './record.js';
import { ensureEmulatorRuntime } from './runtime-install.js';
import { startS3Proxy } from './s3-proxy.js';
import {
  fileBackendUrl,
  type PersistedResources,
  readPersistedResources,
  sandboxStackOutputs,
  writeSandboxState,
} from './state.js';

export interface SandboxOptions {
  /** Working dir; holds frontendops.config.json, pulumi-state/, repo/, the audit log. */
  dir: string;
  /** Added per S3 request (imitates a region). */
  latencyMs?: number;
  /** 0..1 share of S3 requests that fail (503 SlowDown / 500 / reset / copy 200-with-error). */
  faultRate?: number;
  /** InProgress → Completed delay of invalidations (default 300 ms). */
  invalidationDelayMs?: number;
  /** A git repo to clone (non-bare) as the scratch tag repo; default: a fresh repo with one commit. */
  repoSource?: string;
  /** Fixed ports: S3 on `port`, the edge on `port + 1`, the CloudFront API on `port + 2`. Default 0: free ports. */
  port?: number;
  /**
   * Keep the world between starts in `dir` (the demo's re-runs deploy only what changed): S3 objects as files
   * in `<dir>/s3`, the bucket names and distribution id (read back from the Pulumi state, whose `url` is
   * rewritten for the new edge port), and the scratch repo with its tags (on restart, `repoSource`'s new
   * commits are fetched into it instead of recloning). Default false: every start is a fresh world.
   */
  persist?: boolean;
  /**
   * Started by `frontendops demo`: recorded in `<dir>/sandbox.json`, so a hint about a stopped sandbox
   * can say `npm run demo`.
   */
  demo?: boolean;
}

/** Exactly the `sandbox start --json` line. */
export interface SandboxInfo {
  configPath: string;
  s3Endpoint: string;
  edgeUrl: string;
  cloudfrontEndpoint: string;
  artifactsBucket: string;
  hostingBucket: string;
  distributionId: string;
  repoPath: string;
  pulumiBackendUrl: string;
}

export interface Sandbox {
  info: SandboxInfo;
  /**
   * One line each for what the person should know about this start: a port kept from the last run
   * that was taken, so the service listens elsewhere this time.
   */
  notices: string[];
  /** The S3 emulator child process (tests check it is gone after stop). */
  emulatorPid: number;
  /** By S3 operation name: CopyObject, PutObject, ListObjectsV2, ... */
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  setFaults(faults: { rate: number; kinds?: FaultKind[]; seed?: number }): void;
  setLatency(ms: number): void;
  /**
   * Resolves with SANDBOX_FAILED if the sandbox breaks while running (the S3 emulator process died); never
   * resolves otherwise. `sandbox start` exits on it instead of serving a half-dead sandbox.
   */
  failure: Promise<FrontendOpsError>;
  stop(): Promise<void>;
}

export interface SandboxDeps {
  /** Progress lines that are not the result (the runtime's first-time install); the CLI sends them to stderr. */
  log?: (line: string) => void;
  /** The agent's environment: FRONTENDOPS_SANDBOX_RUNTIME (default: this process's). */
  env?: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_INVALIDATION_DELAY_MS = 300;
export const CONFIG_FILE = 'frontendops.config.json';

export const SandboxOptionsSchema = z
  .object({
    dir: z.string().min(1),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    faultRate: z.number().min(0).max(1).optional(),
    invalidationDelayMs: z.number().int().min(0).max(3_600_000).optional(),
    repoSource: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65_533).optional(),
    persist: z.boolean().optional(),
    demo: z.boolean().optional(),
  })
  .strict();

/** Random lower-case hex, like the suffix Pulumi's auto-naming appends to physical names. */
function suffix(): string {
  return randomBytes(4).toString('hex').slice(0, 7);
}

/** Refuses a non-empty directory that is not a sandbox's: a restart deletes repo/, pulumi-state/ and s3/ in it. */
async function prepareDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes(SANDBOX_MARKER)) {
    throw new FrontendOpsError('BAD_INPUT', `${dir} is not empty and is not a sandbox directory`, {
      hint: 'Use an empty or new directory for --dir (default: .sandbox).',
    });
  }
}

async function createBuckets(emulatorEndpoint: string, buckets: readonly string[]): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: emulatorEndpoint,
    forcePathStyle: true,
    credentials: { ...SANDBOX_CREDENTIALS },
  });
  try {
    await Promise.all(
      buckets.map((Bucket) =>
        s3.send(new CreateBucketCommand({ Bucket })).catch((error: unknown) => {
          // A persisted sandbox's buckets were loaded from disk: creating them again is a no-op.
          if (error instanceof S3ServiceException && error.name === 'BucketAlreadyOwnedByYou') return;
          throw error;
        }),
      ),
    );
  } finally {
    s3.destroy();
  }
}

/**
 * Starts one of the sandbox's servers on the port it had last time, so the URLs a person bookmarked and
 * the config other processes hold stay valid; when something else took that port meanwhile, on a free
 * one, saying so in `notices`.
 */
async function startOnKeptPort<T>(
  kept: number | undefined,
  what: string,
  start: (port: number) => Promise<T>,
  portOf: (started: T) => number,
  notices: string[],
): Promise<T> {
  if (kept === undefined) return start(0);
  try {
    return await start(kept);
  } catch (error) {
    if (!(error instanceof FrontendOpsError && error.code === 'SANDBOX_BUSY')) throw error;
    const started = await start(0);
    notices.push(
      `Port ${kept} (the ${what}, kept from the last run) is taken by another program; the ${what} listens on ${portOf(started)} this time.`,
    );
    return started;
  }
}

const portOfUrl = (url: string): number => Number(new URL(url).port);

/**
 * Starts the whole sandbox: S3 (fauxqs behind our proxy), the edge and the CloudFront API, a
 * file:// Pulumi state whose outputs point at them, a scratch git repository, and `<dir>/frontendops.config.json`.
 * Resolves once everything answers. Every start is a fresh world (the emulator keeps objects in memory), unless
 * `persist` is set: then buckets, objects, the stack's resources and the scratch repo's tags carry over.
 */
export async function startSandbox(options: SandboxOptions, deps: SandboxDeps = {}): Promise<Sandbox> {
  const opts = parseWith(SandboxOptionsSchema, options, 'BAD_INPUT', 'sandbox options');
  const dir = resolve(opts.dir);
  const agentRoot = findAgentRoot();
  // The stack's Pulumi project: the repository being deployed from, else the clone the agent runs from; an
  // installed agent without either names the sandbox folder (the state backend needs no project files).
  const stackWorkDir =
    [opts.repoSource, findCheckoutRoot(agentRoot)]
      .map((root) => (root === undefined ? undefined : hostingProjectDir(root)))
      .find((found) => found !== undefined) ?? dir;
  await prepareDir(dir);
  const lock: DirLock = await acquireDirLock(dir);
  const cleanups: Array<() => Promise<void>> = [() => lock.release()];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw toFrontendOpsError(errors[0], 'SANDBOX_FAILED');
  };

  try {
    await writeFile(join(dir, SANDBOX_MARKER), 'This directory belongs to a FrontendOps sandbox.\n');
    const now = new Date();
    const basePort = opts.port ?? 0;
    const portFor = (offset: number) => (basePort === 0 ? 0 : basePort + offset);
    const repoPath = join(dir, 'repo');
    const backendDir = join(dir, 'pulumi-state');
    const s3StorageDir = join(dir, 's3');
    const persist = opts.persist === true;

    // The emulator takes most of the start-up time: spawn it first and prepare files meanwhile.
    const emulatorStarting = (async () => {
      const { runtime } = await ensureEmulatorRuntime({
        agentRoot,
        env: deps.env ?? process.env,
        cwd: process.cwd(),
        ...(deps.log ? { log: deps.log } : {}),
      });
      return startEmulator({ runtime, ...(persist ? { s3StorageDir } : {}) });
    })();
    const filesReady = (async (): Promise<PersistedResources | undefined> => {
      if (!persist) {
        await Promise.all(
          [repoPath, backendDir, s3StorageDir].map((path) => rm(path, { recursive: true, force: true })),
        );
        await createScratchRepo(repoPath, opts.repoSource, now);
        return undefined;
      }
      const kept = await readPersistedResources(backendDir);
      if (existsSync(join(repoPath, '.git'))) {
        if (opts.repoSource !== undefined) await refreshScratchRepo(repoPath, opts.repoSource);
      } else {
        // Nothing usable to keep (first start, or a start interrupted before the repo was complete).
        await rm(repoPath, { recursive: true, force: true });
        await createScratchRepo(repoPath, opts.repoSource, now);
      }
      return kept;
    })();
    // A persisted sandbox comes back on the ports of its last start (unless --port says otherwise).
    const keptPorts = persist && opts.port === undefined ? (await readSandboxRecord(dir))?.ports : undefined;
    const notices: string[] = [];
    const [emulatorResult, filesResult] = await Promise.allSettled([emulatorStarting, filesReady]);
    if (emulatorResult.status === 'fulfilled') {
      const emulator: Emulator = emulatorResult.value;
      cleanups.push(() => emulator.stop());
    }
    if (emulatorResult.status === 'rejected') throw emulatorResult.reason;
    if (filesResult.status === 'rejected') throw filesResult.reason;
    const emulator = emulatorResult.value;

    const kept = filesResult.value;
    const artifactsBucket = kept?.artifactsBucket ?? `sophia-dashboard-build-artifacts-${suffix()}`;
    const hostingBucket = kept?.hostingBucket ?? `sophia-dashboard-hosting-prod-${suffix()}`;
    const distributionId = kept?.distributionId ?? cloudFrontStyleId('E');
    await createBuckets(emulator.endpoint, [artifactsBucket, hostingBucket]);

    const proxy = await startOnKeptPort(
      keptPorts?.s3,
      'S3 endpoint',
      (port) =>
        startS3Proxy({
          upstream: emulator.endpoint,
          port: keptPorts ? port : portFor(0),
          latencyMs: opts.latencyMs ?? 0,
          faults: { rate: opts.faultRate ?? 0 },
        }),
      (started) => portOfUrl(started.endpoint),
      notices,
    );
    cleanups.push(() => proxy.close());

    let edgeCache: { purge(paths: readonly string[]): number } | undefined;
    const invalidations = new InvalidationStore({
      delayMs: opts.invalidationDelayMs ?? DEFAULT_INVALIDATION_DELAY_MS,
      onComplete: (paths) => edgeCache?.purge(paths),
    });
    cleanups.push(async () => invalidations.close());
    const edge = await startOnKeptPort(
      keptPorts?.edge,
      'site (edge)',
      (port) =>
        startEdge({
          s3Endpoint: emulator.endpoint,
          bucket: hostingBucket,
          port: keptPorts ? port : portFor(1),
          beforeRequest: () => invalidations.settleDue(),
        }),
      (started) => portOfUrl(started.url),
      notices,
    );
    edgeCache = edge.cache;
    cleanups.push(() => edge.close());

    const cloudfront = await startOnKeptPort(
      keptPorts?.cloudfront,
      'CloudFront API',
      (port) =>
        startCloudFrontApi({
          port: keptPorts ? port : portFor(2),
          distribution: {
            id: distributionId,
            domainName: new URL(edge.url).host,
            hostingBucket,
            lastModified: now,
            callerReference: `frontendops-sandbox-${now.getTime()}`,
          },
          etag: cloudFrontStyleId('E', 13),
          invalidations,
        }),
      (started) => portOfUrl(started.endpoint),
      notices,
    );
    cleanups.push(() => cloudfront.close());

    const pulumiBackendUrl = fileBackendUrl(backendDir);
    const outputs = sandboxStackOutputs({
      artifactsBucket,
      hostingBucket,
      distributionId,
      edgeUrl: edge.url,
    });
    await writeSandboxState(backendDir, outputs, now);
    const configPath = join(dir, 'frontendops.config.json');
    await writeSandboxConfig(
      configPath,
      sandboxConfig({
        dir,
        stackWorkDir,
        binDir: join(agentRoot, 'bin'),
        s3Endpoint: proxy.endpoint,
        cloudfrontEndpoint: cloudfront.endpoint,
        pulumiBackendUrl,
        repoPath,
        nodePath: process.execPath,
      }),
    );

    await writeSandboxRecord(dir, {
      schema: 1,
      persist,
      demo: opts.demo === true,
      ports: {
        s3: portOfUrl(proxy.endpoint),
        edge: portOfUrl(edge.url),
        cloudfront: portOfUrl(cloudfront.endpoint),
      },
    });

    const info: SandboxInfo = {
      configPath,
      s3Endpoint: proxy.endpoint,
      edgeUrl: edge.url,
      cloudfrontEndpoint: cloudfront.endpoint,
      artifactsBucket,
      hostingBucket,
      distributionId,
      repoPath,
      pulumiBackendUrl,
    };
    let stopping: Promise<void> | undefined;
    const failure = emulator.exited.then(
      ({ code, signal }) =>
        new Promise<FrontendOpsError>((resolve) => {
          if (stopping !== undefined) return; // a requested stop is not a failure
          resolve(
            new FrontendOpsError(
              'SANDBOX_FAILED',
              `the S3 emulator (pid ${emulator.pid}) exited unexpectedly (${signal ?? `code ${code}`})`,
              {
                hint: 'Start the sandbox again; if it keeps happening, reinstall its runtime with `frontendops sandbox install --force`.',
              },
            ),
          );
        }),
    );
    return {
      info,
      notices,
      emulatorPid: emulator.pid,
      failure,
      requestCounts: () => proxy.requestCounts(),
      resetRequestCounts: () => proxy.resetRequestCounts(),
      setFaults: (faults) =>
        proxy.setFaults(parseWith(FaultSettingsSchema, faults, 'BAD_INPUT', 'sandbox faults')),
      setLatency: (ms) =>
        proxy.setLatency(parseWith(z.number().int().min(0), ms, 'BAD_INPUT', 'sandbox latency')),
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw toFrontendOpsError(error, 'SANDBOX_FAILED');
  }
}

export type { FaultKind };
export { FAULT_KINDS, LOCK_FILE, SANDBOX_MARKER };
