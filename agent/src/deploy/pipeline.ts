import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientEndpoint } from '../aws/endpoint.js';
import type { Invalidator } from '../cdn/invalidator.js';
import type { CacheRule } from '../config/schema.js';
import { waitingMessage } from '../errors/endpoint.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { AdoptionIdSchema } from './adoption.js';
import { assertSyncBoundTo, type StackBuckets } from './bound-target.js';
import { executeCopies, type ProgressEvent } from './executor.js';
import { listHosting } from './listing.js';
import { acquireDeployLock, type DeployLockHandle } from './lock.js';
import { readBuildManifest } from './manifest.js';
import { type DeployPlan, type PlanSummary, planDeploy, summarizePlan } from './plan.js';
import {
  assertImmutableUnchanged,
  checkManifestRules,
  DEFAULT_REQUIRED_FILES,
  startBuildListing,
} from './preflight.js';
import { deleteSiteFiles } from './prune.js';
import { currentReleaseKey, historyKey, readCurrentRelease, releaseIdFor } from './releases.js';
import { createRequestRunner, type RequestRunner, realSleep, s3Failure } from './requests.js';
import type { RetryEvent, RetryPolicy } from './retry.js';
import { putJson } from './s3-json.js';
import {
  type BuildManifest,
  type ReleaseFile,
  type ReleaseRecord,
  ReleaseRecordSchema,
  type Trigger,
} from './schemas.js';
import { buildPrefixFor, isFullCommitSha, type SyncCommand } from './sync-command.js';
import { VERSION_FILE, verifyDeployment } from './verify.js';

/**
 * The deploy pipeline (design §5): resolve the build, lock, plan, confirm, copy in phases, record,
 * invalidate, verify, tag, prune, unlock — and a report of what happened. Every side effect comes in
 * through `DeployDeps`.
 */
export type { ProgressEvent } from './executor.js';
export type { PlanSummary } from './plan.js';

export interface DeployDeps {
  s3: S3Client;
  invalidator: Invalidator;
  now?: () => Date;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (e: ProgressEvent) => void;
  /** Jitter source for retries (tests make it deterministic). */
  random?: () => number;
  retryPolicy?: RetryPolicy;
  /** Told about every retried S3 request (logging, diagnostics). */
  onRetry?: (event: RetryEvent) => void;
  /** Per-attempt timeout of S3 requests (default 10 s; copies of big objects get more). */
  attemptTimeoutMs?: number;
  /** How long one S3 request may go unanswered across retries before ENDPOINT_UNREACHABLE (default 25 s). */
  requestDeadlineMs?: number;
  /** Written into the lock so a blocked deployer learns who holds it. */
  identity?: { host: string; pid: number };
  newLockId?: () => string;
}

export interface DeployRequest {
  stack: string;
  commit: string;
  sync: SyncCommand;
  /**
   * The stack's `artifactsBucket` and `hostingBucket` outputs, read from the same stack as `sync`. The
   * engine refuses (SYNC_COMMAND_MISMATCH) a sync that names other buckets, before any request.
   */
  stackBuckets: StackBuckets;
  /** Entry files every build must have (default `index.html`, `version.json`): BUILD_INCOMPLETE otherwise. */
  requiredFiles?: readonly string[];
  /** `--adopt <id>`: delete the objects no release knows, if they are still the set the plan showed. */
  adopt?: string;
  url?: string;
  trigger: Trigger;
  requestedBy: string;
  dryRun: boolean;
  keepReleases: number;
  concurrency: number;
  lockTtlSeconds: number;
  cacheRules: CacheRule[];
  invalidation: { collapseAbove: number; maxWaitSeconds: number };
  /** false → REFUSED, nothing changed. Called only when there is something to change. */
  confirm?: (plan: PlanSummary) => Promise<boolean>;
  /** After verify, before prune; the tag is saved in the release record. */
  tag?: (release: ReleaseRecord) => Promise<string>;
}

export interface DeployReport {
  status: 'deployed' | 'noop' | 'planned';
  commit: string;
  releaseId?: string;
  tag?: string;
  copied: number;
  unchanged: number;
  deleted: number;
  deferredDeletes: number;
  invalidationId?: string;
  verify: { status: 'passed' | 'skipped'; note?: string };
  /** S3 requests by operation, retries included. */
  requests: Record<string, number>;
  /** How many of those requests were retries. */
  retries: number;
  durationMs: number;
  plan: PlanSummary;
  /** Things that went wrong after the release was live and did not undo it (prune, unlock). */
  warnings: string[];
}

function assertRequest(request: DeployRequest): void {
  const bad = (message: string): never => {
    throw new FrontendOpsError('BAD_INPUT', message, { hint: 'Fix the deploy request.' });
  };
  if (!isFullCommitSha(request.commit))
    bad(`commit ${JSON.stringify(request.commit)} is not a full 40-hex sha`);
  if (!/^[A-Za-z0-9_.-]+$/.test(request.stack) || /^\.+$/.test(request.stack)) {
    bad(`stack ${JSON.stringify(request.stack)} is not a valid stack name`);
  }
  if (!Number.isInteger(request.keepReleases) || request.keepReleases < 1) bad('keepReleases must be ≥ 1');
  if (!Number.isInteger(request.concurrency) || request.concurrency < 1) bad('concurrency must be ≥ 1');
  if (!(request.lockTtlSeconds > 0)) bad('lockTtlSeconds must be > 0');
  if (request.requestedBy.trim() === '') bad('requestedBy is empty');
  if (request.adopt !== undefined && !AdoptionIdSchema.safeParse(request.adopt).success) {
    bad(`adoption id ${JSON.stringify(request.adopt)} is not 12 lowercase hex characters`);
  }
}

function recordFiles(plan: DeployPlan, etags: ReadonlyMap<string, string>): ReleaseFile[] {
  const files: ReleaseFile[] = [...plan.unchanged];
  for (const copy of plan.copy) {
    files.push({
      path: copy.path,
      sha256: copy.sha256,
      etag: etags.get(copy.path),
      size: copy.size,
      contentType: copy.contentType,
      cacheControl: copy.cacheControl,
    });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function runDeploy(deps: DeployDeps, request: DeployRequest): Promise<DeployReport> {
  assertRequest(request);
  // Before any request: whatever the caller checked, the engine only copies between the stack's buckets.
  assertSyncBoundTo(request.sync, request.stackBuckets, request.stack);
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? realSleep;
  const fetchImpl = deps.fetch ?? fetch;
  const progress = deps.onProgress ?? (() => undefined);
  const startedAt = now();
  const runner: RequestRunner = createRequestRunner({
    sleep,
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(deps.retryPolicy === undefined ? {} : { policy: deps.retryPolicy }),
    ...(deps.onRetry === undefined ? {} : { onRetry: deps.onRetry }),
    ...(deps.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: deps.attemptTimeoutMs }),
    ...(deps.requestDeadlineMs === undefined ? {} : { deadlineMs: deps.requestDeadlineMs }),
    endpoint: { service: 's3', url: s3ClientEndpoint(deps.s3) },
    onWait: (event) =>
      progress({ step: 'wait', done: 0, total: 0, bytes: 0, totalBytes: 0, message: waitingMessage(event) }),
  });
  const { s3, invalidator } = deps;
  const { sync, commit, stack } = request;
  const artifactsBucket = sync.source.bucket;
  const tick = (step: ProgressEvent['step'], message: string) =>
    progress({ step, done: 0, total: 0, bytes: 0, totalBytes: 0, message });

  const manifestRead = readBuildManifest(s3, sync, commit, runner).then((found) => {
    if (found === undefined) {
      throw new FrontendOpsError(
        'BUILD_NOT_FOUND',
        `commit ${commit} has no complete build (build.json) in s3://${artifactsBucket}`,
        {
          hint: 'Wait for the build workflow to publish it, or run `frontendops publish DIR --commit SHA`.',
          data: { commit },
        },
      );
    }
    // Complete (required entry files) and no reserved path: refused before anything is planned.
    checkManifestRules(found, request.requiredFiles ?? DEFAULT_REQUIRED_FILES);
    return found;
  });
  // The preflight's one listing of the build prefix runs alongside the lock and the manifest read.
  const buildPrefix = buildPrefixFor(sync, commit);
  const buildListing = startBuildListing(s3, runner, { bucket: artifactsBucket, prefix: buildPrefix });
  const preflight = async (manifest: BuildManifest, planned: DeployPlan): Promise<void> => {
    if (planned.copy.length === 0) return;
    tick('preflight', `verifying the ${manifest.files.length} files of the build`);
    await buildListing.assertIntact(manifest);
  };

  const plan = async (manifest: BuildManifest): Promise<DeployPlan> => {
    tick('plan', 'reading the live release and listing the hosting bucket');
    const [current, listing] = await Promise.all([
      readCurrentRelease(s3, artifactsBucket, stack, runner),
      listHosting(s3, runner, sync.destination),
    ]);
    const planned = planDeploy(manifest, current, listing, request.cacheRules, {
      destination: sync.destination,
      delete: sync.delete,
      keepReleases: request.keepReleases,
      collapseAbove: request.invalidation.collapseAbove,
      adopt: request.adopt,
    });
    assertImmutableUnchanged(planned, current);
    return planned;
  };

  const report = (
    status: DeployReport['status'],
    planned: DeployPlan,
    extra: Partial<DeployReport> = {},
  ): DeployReport => ({
    status,
    commit,
    copied: 0,
    unchanged: planned.unchanged.length,
    deleted: 0,
    deferredDeletes: planned.retained.length,
    verify: { status: 'skipped', note: `nothing was deployed (${status})` },
    requests: runner.counts(),
    retries: runner.retries(),
    durationMs: now().getTime() - startedAt.getTime(),
    plan: summarizePlan(planned, sync.destination),
    warnings: [],
    ...extra,
  });

  if (request.dryRun) {
    const manifest = await manifestRead;
    const planned = await plan(manifest);
    await preflight(manifest, planned);
    return report(planned.noop ? 'noop' : 'planned', planned);
  }

  tick('lock', `locking stack ${stack}`);
  const identity = deps.identity ?? { host: hostname(), pid: process.pid };
  const locking = acquireDeployLock(
    { s3, runner, now },
    {
      artifactsBucket,
      stack,
      owner: `${request.requestedBy} on ${identity.host} (pid ${identity.pid})`,
      trigger: request.trigger,
      commit,
      requestedBy: request.requestedBy,
      ttlSeconds: request.lockTtlSeconds,
      lockId: (deps.newLockId ?? randomUUID)(),
    },
  );
  // The manifest is read while the lock is taken: one round trip fewer on every deploy.
  const [manifestResult, lockResult] = await Promise.allSettled([manifestRead, locking]);
  if (manifestResult.status === 'rejected') {
    if (lockResult.status === 'fulfilled') await lockResult.value.release().catch(() => false);
    throw manifestResult.reason;
  }
  if (lockResult.status === 'rejected') throw lockResult.reason;
  const manifest = manifestResult.value;
  const lock: DeployLockHandle = lockResult.value;
  const warnings: string[] = [];
  let record: ReleaseRecord | undefined;
  let historyWritten = false;
  const writeHistory = async (r: ReleaseRecord) => {
    await putJson(s3, runner, artifactsBucket, historyKey(r), r).catch((error: unknown) => {
      throw s3Failure(error, 'writing the release history');
    });
    historyWritten = true;
  };

  const apply = async (planned: DeployPlan): Promise<() => DeployReport> => {
    const summary = summarizePlan(planned, sync.destination);
    // Before anyone is asked: a build that will be refused is not put up for confirmation.
    await preflight(manifest, planned);
    if (request.confirm) {
      tick('confirm', 'waiting for confirmation');
      const approved = await request.confirm(summary);
      if (!approved) {
        throw new FrontendOpsError(
          'REFUSED',
          `deploy of ${commit} to ${stack} was not confirmed; nothing changed`,
          {
            hint: 'Confirm the plan, or pass --yes.',
          },
        );
      }
    }
    // A long confirmation may have outlived a third of the TTL: renew (or learn the lock is lost) now.
    await lock.keepAlive();

    const etags = await executeCopies(
      {
        s3,
        runner,
        concurrency: request.concurrency,
        keepAlive: () => lock.keepAlive(),
        onProgress: progress,
      },
      planned.copy,
      {
        source: { bucket: artifactsBucket, prefix: buildPrefix },
        destination: sync.destination,
        sourceEtags: new Map(
          manifest.files.flatMap((f) => (f.etag === undefined ? [] : [[f.path, f.etag] as const])),
        ),
      },
    );

    // The release is live in the bucket: record it before anything else can fail, so the next plan
    // (and its prune) knows these files. The history entry is written once the release is complete.
    tick('record', 'recording the release');
    await lock.keepAlive();
    record = ReleaseRecordSchema.parse({
      schema: 1,
      releaseId: releaseIdFor(startedAt, commit),
      stack,
      commit,
      tag: null,
      trigger: request.trigger,
      requestedBy: request.requestedBy,
      startedAt: startedAt.toISOString(),
      finishedAt: now().toISOString(),
      destination: sync.destination,
      ...(planned.previousReleaseId === null ? {} : { previousReleaseId: planned.previousReleaseId }),
      files: recordFiles(planned, etags),
      retained: planned.retained,
      copied: planned.copy.length,
      unchanged: planned.unchanged.length,
      deleted: planned.deleteLater.length,
      deferredDeletes: planned.retained.length,
      invalidationId: null,
    });
    await putJson(s3, runner, artifactsBucket, currentReleaseKey(stack), record).catch((error: unknown) => {
      throw s3Failure(error, 'writing the release record');
    });

    let invalidationId: string | undefined;
    if (planned.invalidate.length > 0) {
      tick('invalidate', `invalidating ${planned.invalidate.length} path(s)`);
      const result = await invalidator
        .invalidate(planned.invalidate, { wait: true, maxWaitSeconds: request.invalidation.maxWaitSeconds })
        .catch((error: unknown) => {
          throw toFrontendOpsError(error, 'INVALIDATION_FAILED');
        });
      invalidationId = result.invalidationId;
      record = { ...record, invalidationId };
    }

    tick('verify', `checking ${VERSION_FILE} on the site`);
    const verify = await verifyDeployment(
      fetchImpl,
      request.url,
      commit,
      manifest.files.some((f) => f.path === VERSION_FILE),
      { sleep, now },
    );

    let tag: string | undefined;
    if (request.tag) {
      tick('tag', 'tagging the release');
      tag = await request.tag(record);
      record = { ...record, tag };
    }

    await lock.keepAlive();
    await writeHistory(record);
    if (tag !== undefined) {
      await putJson(s3, runner, artifactsBucket, currentReleaseKey(stack), record).catch((error: unknown) => {
        throw s3Failure(error, 'writing the tagged release record');
      });
    }

    let deleted = 0;
    if (planned.deleteLater.length > 0) {
      tick('prune', `deleting ${planned.deleteLater.length} file(s) no release needs`);
      try {
        // Only ours to delete while we hold the lock: a deploy that took it over may need these files.
        await lock.keepAlive();
        deleted = await deleteSiteFiles(s3, runner, sync.destination, planned.deleteLater);
      } catch (error) {
        const err = toFrontendOpsError(error);
        warnings.push(`prune failed (${err.code}: ${err.message}); the next deploy deletes these files`);
      }
    }
    tick('done', `deployed ${commit}`);
    const releaseId = record.releaseId;
    return () =>
      report('deployed', planned, {
        releaseId,
        ...(tag === undefined ? {} : { tag }),
        copied: planned.copy.length,
        deleted,
        ...(invalidationId === undefined ? {} : { invalidationId }),
        verify,
        warnings,
      });
  };

  // The report is built after the lock is released, so its request counts include the unlock.
  let finish: () => DeployReport;
  try {
    const planned = await plan(manifest);
    finish = planned.noop ? () => report('noop', planned, { warnings }) : await apply(planned);
  } catch (error) {
    // A release that went live but failed later (invalidation, verify, tag) still belongs in history.
    if (record !== undefined && !historyWritten) await writeHistory(record).catch(() => undefined);
    throw error;
  } finally {
    try {
      if (!(await lock.release())) warnings.push('the deploy lock had been taken over by another deploy');
    } catch (error) {
      warnings.push(`releasing the deploy lock failed: ${toFrontendOpsError(error).message}`);
    }
  }
  return finish();
}
