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
import { MAX_SANDBOX_STACKS, type SandboxStackInfo, sandboxStackNames } from './stacks.js';
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
  /**
   * Fixed ports: S3 on `port`, the (first stack's) edge on `port + 1`, the CloudFront API on `port + 2`, the
   * edges of further stacks on `port + 3` onwards. Default 0: free ports.
   */
  port?: number;
  /**
   * How many hosting stacks (default 1): each gets its own hosting bucket, distribution, edge and Pulumi
   * stack; all share the artifacts bucket. Stack 1 is `dashboard-hosting-prod`, then `-2`, `-3`, …
   */
  stacks?: number;
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
  /**
   * Every stack, the first one being the one described above; present only when the sandbox hosts more
   * than one (a one-stack sandbox prints the line it always printed).
   */
  stacks?: SandboxStackInfo[];
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
    stacks: z.number().int().min(1).max(MAX_SANDBOX_STACKS).optional(),
    demo: z.boolean().optional(),
  })
  .strict()
  .refine((o) => (o.port ?? 0) === 0 || (o.port ?? 0) + Math.max(2, (o.stacks ?? 1) + 1) <= 65_535, {
    message: 'the fixed ports of every stack must stay below 65536',
    path: ['port'],
  });

/** Random lower-case hex, like the suffix Pulumi's auto-naming appends to physical names. */
function suffix(): string {
  return randomBytes(4).toString('hex').slice(0, 7);
}

interface StackResources {
  name: string;
  hostingBucket: string;
  distributionId: string;
}

/** Port offset (from a fixed `--port`) of stack `index`'s edge: 1 for the first, then 3, 4, … */
function edgePortOffset(index: number): number {
  return index === 0 ? 1 : index + 2;
}

/**
 * The resources of each stack: those a persisted sandbox recorded in that stack's state (when it used the
 * same artifacts bucket), otherwise new ones.
 */
function stackResources(
  names: readonly string[],
  artifactsBucket: string,
  kept: Map<string, PersistedResources | undefined>,
): StackResources[] {
  return names.map((name) => {
    const previous = kept.get(name);
    const usable = previous !== undefined && previous.artifactsBucket === artifactsBucket;
    return {
      name,
      hostingBucket: usable ? previous.hostingBucket : `sophia-dashboard-hosting-prod-${suffix()}`,
      distributionId: usable ? previous.distributionId : cloudFrontStyleId('E'),
    };
  });
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
    const stackNames = sandboxStackNames(opts.stacks ?? 1);

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
    const filesReady = (async (): Promise<Map<string, PersistedResources | undefined>> => {
      if (!persist) {
        await Promise.all(
          [repoPath, backendDir, s3StorageDir].map((path) => rm(path, { recursive: true, force: true })),
        );
        await createScratchRepo(repoPath, opts.repoSource, now);
        return new Map();
      }
      const kept = new Map(
        await Promise.all(
          stackNames.map(async (name) => [name, await readPersistedResources(backendDir, name)] as const),
        ),
      );
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
    const artifactsBucket =
      kept.get(stackNames[0] ?? '')?.artifactsBucket ?? `sophia-dashboard-build-artifacts-${suffix()}`;
    const stacks = stackResources(stackNames, artifactsBucket, kept);
    await createBuckets(emulator.endpoint, [artifactsBucket, ...stacks.map((s) => s.hostingBucket)]);

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

    // One edge per distribution, each on its own port: every distribution has its own domain, and the
    // site's absolute asset paths (`/assets/…`) rule out telling them apart by a path prefix.
    const edgeCaches = new Map<string, { purge(paths: readonly string[]): number }>();
    const invalidations = new InvalidationStore({
      delayMs: opts.invalidationDelayMs ?? DEFAULT_INVALIDATION_DELAY_MS,
      onComplete: (paths, distributionId) => edgeCaches.get(distributionId)?.purge(paths),
    });
    cleanups.push(async () => invalidations.close());
    const edgeUrls: string[] = [];
    for (const [index, stack] of stacks.entries()) {
      // The first stack's edge comes back on its kept port (the demo's URL); the others on free ports.
      const edge = await startOnKeptPort(
        index === 0 ? keptPorts?.edge : undefined,
        'site (edge)',
        (port) =>
          startEdge({
            s3Endpoint: emulator.endpoint,
            bucket: stack.hostingBucket,
            port: index === 0 && keptPorts ? port : portFor(edgePortOffset(index)),
            beforeRequest: () => invalidations.settleDue(),
          }),
        (started) => portOfUrl(started.url),
        notices,
      );
      edgeCaches.set(stack.distributionId, edge.cache);
      cleanups.push(() => edge.close());
      edgeUrls.push(edge.url);
    }
    const edgeUrlOf = (index: number): string => edgeUrls[index] ?? '';

    const cloudfront = await startOnKeptPort(
      keptPorts?.cloudfront,
      'CloudFront API',
      (port) =>
        startCloudFrontApi({
          port: keptPorts ? port : portFor(2),
          distributions: stacks.map((stack, index) => ({
            id: stack.distributionId,
            domainName: new URL(edgeUrlOf(index)).host,
            hostingBucket: stack.hostingBucket,
            lastModified: now,
            callerReference: `frontendops-sandbox-${now.getTime()}-${index + 1}`,
            etag: cloudFrontStyleId('E', 13),
          })),
          invalidations,
        }),
      (started) => portOfUrl(started.endpoint),
      notices,
    );
    cleanups.push(() => cloudfront.close());

    const pulumiBackendUrl = fileBackendUrl(backendDir);
    for (const [index, stack] of stacks.entries()) {
      const outputs = sandboxStackOutputs({
        artifactsBucket,
        hostingBucket: stack.hostingBucket,
        distributionId: stack.distributionId,
        edgeUrl: edgeUrlOf(index),
      });
      await writeSandboxState(backendDir, outputs, now, stack.name);
    }
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
        stackNames,
      }),
    );

    await writeSandboxRecord(dir, {
      schema: 1,
      persist,
      demo: opts.demo === true,
      ports: {
        s3: portOfUrl(proxy.endpoint),
        edge: portOfUrl(edgeUrlOf(0)),
        cloudfront: portOfUrl(cloudfront.endpoint),
      },
    });

    const [first] = stacks;
    if (first === undefined) throw new Error('a sandbox has at least one stack');
    const info: SandboxInfo = {
      configPath,
      s3Endpoint: proxy.endpoint,
      edgeUrl: edgeUrlOf(0),
      cloudfrontEndpoint: cloudfront.endpoint,
      artifactsBucket,
      hostingBucket: first.hostingBucket,
      distributionId: first.distributionId,
      repoPath,
      pulumiBackendUrl,
      ...(stacks.length > 1
        ? {
            stacks: stacks.map((stack, index) => ({
              name: stack.name,
              hostingBucket: stack.hostingBucket,
              distributionId: stack.distributionId,
              edgeUrl: edgeUrlOf(index),
            })),
          }
        : {}),
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
