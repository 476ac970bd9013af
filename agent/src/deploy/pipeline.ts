import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientEndpoint } from '../aws/endpoint.js';
import type { Invalidator } from '../cdn/invalidator.js';
import type { CacheRule } from '../config/schema.js';
import { waitingMessage } from '../errors/endpoint.js';
import { type ErrorCode, FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { AdoptionIdSchema } from './adoption.js';
import { rollBackFailedRelease } from './auto-rollback.js';
import { assertSyncBoundTo, type StackBuckets } from './bound-target.js';
import type { ProgressEvent } from './executor.js';
import { boundedSubject, finishCommand, missingSteps } from './journal.js';
import { listHosting } from './listing.js';
import { acquireDeployLock, type DeployLockHandle, type LockStore, s3LockStore } from './lock.js';
import { readBuildManifest } from './manifest.js';
import { type PlanSummary, summarizePlan } from './plan.js';
import { buildPreflight, checkManifestRules, DEFAULT_REQUIRED_FILES } from './preflight.js';
import { journalNote, type PlannedRelease, planChanges, planRelease } from './release-plan.js';
import {
  type AdvanceOutcome,
  advanceRelease,
  type CheckHealth,
  type EngineEvent,
  flushEntries,
  type HealthResult,
  journalRelease,
  type Preflight,
  pendingRecord,
  type ReleaseRun,
  recordFailure,
  tick,
} from './release-steps.js';
import { type Journal, listReleases, readJournal, releaseIdFor } from './releases.js';
import { createRequestRunner, type RequestRunner, realSleep } from './requests.js';
import type { RetryEvent, RetryPolicy } from './retry.js';
import {
  type BuildManifest,
  MAX_DEPLOYMENT_ENTRIES,
  type ReleaseKind,
  type ReleaseRecord,
  type ReleaseStep,
  type ReleaseSteps,
  type Trigger,
} from './schemas.js';
import { buildPrefixFor, isFullCommitSha, type SyncCommand } from './sync-command.js';
import type { VerifyResult } from './verify.js';

/**
 * The deploy pipeline: bound target → manifest rules → plan (no lock) → preflight → confirm → lock →
 * re-plan (ask again if the plan grew) → preflight → journal → copy → invalidate → check → tag → prune → publish → complete → unlock. An
 * unfinished release found in the journal is finished first (same commit) or replaced safely (another
 * commit). A release that went live and then failed is reported `incomplete` with its missing steps,
 * or — after a failed health check — rolled back automatically (`rolled_back`). docs/engine.md
 * describes the whole protocol.
 */
export type { ProgressEvent } from './executor.js';
export type { PlanSummary } from './plan.js';
export type { CheckHealth, EngineEvent, HealthResult, Preflight } from './release-steps.js';

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
  /**
   * The live site's health check through the edge (deploy/health.ts `siteHealthCheck`); without it
   * only version.json is checked.
   */
  checkHealth?: CheckHealth;
  /** Steps worth an audit line (journal written, lock taken over, health check failed, rollback…). */
  onEvent?: (event: EngineEvent) => void | Promise<void>;
  /** Where the lock lives (default: `locks/<stack>.json` in the artifacts bucket). */
  lockStore?: LockStore;
  /** Lock timing seams: a monotonic clock and the renewal timer. */
  monotonic?: () => number;
  setTimer?: (fn: () => void, ms: number) => () => void;
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
  /** Where the request came from (the release keeps it as its origin). */
  trigger: Trigger;
  requestedBy: string;
  /** Default `deploy`. */
  kind?: ReleaseKind;
  /** The commit's subject line, already redacted by the caller; stored bounded. */
  subject?: string;
  dryRun: boolean;
  keepReleases: number;
  concurrency: number;
  lockTtlSeconds: number;
  cacheRules: CacheRule[];
  invalidation: { collapseAbove: number; maxWaitSeconds: number };
  /** Roll back to the previous complete release when the check fails after going live (default true). */
  autoRollback?: boolean;
  /** Only finish an unfinished release of this commit; never start a new one (`status --finish`). */
  finishOnly?: boolean;
  /** false → CANCELLED, nothing changed. Called without the lock, only when there is something to change. */
  confirm?: (plan: PlanSummary) => Promise<boolean>;
  /** After the check, before prune; the tag is saved in the release record. */
  tag?: (release: ReleaseRecord) => Promise<string>;
}

export type DeployStatus = 'deployed' | 'noop' | 'planned' | 'incomplete' | 'rolled_back';

export interface DeployReport {
  status: DeployStatus;
  commit: string;
  releaseId?: string;
  kind?: ReleaseKind;
  tag?: string;
  copied: number;
  unchanged: number;
  deleted: number;
  deferredDeletes: number;
  invalidationId?: string;
  verify: { status: 'passed' | 'skipped' | 'failed'; note?: string };
  /** S3 requests by operation, retries included. */
  requests: Record<string, number>;
  /** How many of those requests were retries. */
  retries: number;
  durationMs: number;
  plan: PlanSummary;
  /** Things that went wrong without changing the outcome (unlock, a lock taken over…). */
  warnings: string[];
  /** The release's steps after this run. */
  steps?: ReleaseSteps;
  /** Steps still missing (`incomplete`). */
  missing?: ReleaseStep[];
  /** Why the release is incomplete or was rolled back. */
  error?: { code: ErrorCode; message: string; hint?: string; data?: Record<string, unknown> };
  /** The command that finishes an incomplete release. */
  finishCommand?: string;
  /** The unfinished release this run found first: finished, or replaced. */
  previous?: { action: 'finish' | 'supersede'; releaseId: string; commit: string; missing: ReleaseStep[] };
  health?: HealthResult;
  /** `status --finish` found no unfinished release. */
  nothingToFinish?: boolean;
  /** After an automatic rollback: the release that restored the previous one. */
  restored?: {
    releaseId: string;
    commit: string;
    tag?: string;
    status: 'complete' | 'pending';
    missing: ReleaseStep[];
  };
}

function assertRequest(
  request: Pick<
    DeployRequest,
    'stack' | 'keepReleases' | 'concurrency' | 'lockTtlSeconds' | 'requestedBy' | 'adopt'
  > & { commit?: string },
): void {
  const bad = (message: string): never => {
    throw new FrontendOpsError('BAD_INPUT', message, { hint: 'Fix the deploy request.' });
  };
  if (request.commit !== undefined && !isFullCommitSha(request.commit))
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

/** Confirmations asked at most this many times when the plan keeps changing under the lock. */
const MAX_CONFIRM_ROUNDS = 3;

interface Setup {
  now: () => Date;
  runner: RequestRunner;
  startedAt: Date;
  progress: (e: ProgressEvent) => void;
}

function setupRun(deps: DeployDeps): Setup {
  const now = deps.now ?? (() => new Date());
  const progress = deps.onProgress ?? (() => undefined);
  return {
    now,
    startedAt: now(),
    progress,
    runner: createRequestRunner({
      sleep: deps.sleep ?? realSleep,
      ...(deps.random === undefined ? {} : { random: deps.random }),
      ...(deps.retryPolicy === undefined ? {} : { policy: deps.retryPolicy }),
      ...(deps.onRetry === undefined ? {} : { onRetry: deps.onRetry }),
      ...(deps.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: deps.attemptTimeoutMs }),
      ...(deps.requestDeadlineMs === undefined ? {} : { deadlineMs: deps.requestDeadlineMs }),
      endpoint: { service: 's3', url: s3ClientEndpoint(deps.s3) },
      onWait: (event) =>
        progress({
          step: 'wait',
          done: 0,
          total: 0,
          bytes: 0,
          totalBytes: 0,
          message: waitingMessage(event),
        }),
    }),
  };
}

function progressTick(setup: Setup, step: ProgressEvent['step'], message: string): void {
  setup.progress({ step, done: 0, total: 0, bytes: 0, totalBytes: 0, message });
}

function summaryOf(planned: PlannedRelease, sync: SyncCommand, changes?: string[]): PlanSummary {
  const note = journalNote(planned);
  return {
    ...summarizePlan({ ...planned.plan, invalidate: planned.invalidate }, sync.destination),
    ...(note === undefined ? {} : { journal: note }),
    ...(changes === undefined || changes.length === 0 ? {} : { changes }),
  };
}

export async function runDeploy(deps: DeployDeps, request: DeployRequest): Promise<DeployReport> {
  assertRequest(request);
  // Before any request: whatever the caller checked, the engine only copies between the stack's buckets.
  assertSyncBoundTo(request.sync, request.stackBuckets, request.stack);
  const setup = setupRun(deps);
  const { now, runner, startedAt } = setup;
  const { s3 } = deps;
  const { sync, commit, stack } = request;
  const artifactsBucket = sync.source.bucket;

  // The preflight's one listing of the build prefix, started once a copy may be needed (below) — a
  // no-op never lists the build.
  let buildListing: Preflight | undefined;
  const startPreflight = (of: BuildManifest): Preflight => {
    buildListing ??= buildPreflight(
      s3,
      runner,
      { bucket: artifactsBucket, prefix: buildPrefixFor(sync, commit) },
      of,
    );
    return buildListing;
  };
  const preflight: Preflight = (input) => startPreflight(input.manifest)(input);
  const readPlanInputs = (journalRead = readJournal(s3, runner, artifactsBucket, stack)) =>
    Promise.all([journalRead, listHosting(s3, runner, sync.destination)]);
  // The plan's reads (the journal, the hosting listing) run alongside the manifest read: none of
  // them needs another's answer.
  progressTick(setup, 'plan', 'reading the release journal and listing the hosting bucket');
  const firstJournal = readJournal(s3, runner, artifactsBucket, stack);
  const firstReads = readPlanInputs(firstJournal);
  // Awaited below unless the build is refused first; a refusal must not leave it unhandled.
  firstReads.catch(() => undefined);
  const manifest = await readBuildManifest(s3, sync, commit, runner);
  if (manifest === undefined) {
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
  checkManifestRules(manifest, request.requiredFiles ?? DEFAULT_REQUIRED_FILES);
  // Unless the journal already names this commit complete (a possible no-op), this deploy copies:
  // the preflight's listing starts now, while the hosting bucket is still being listed.
  firstJournal.then(
    (journal) => {
      const live = journal?.record;
      if (!(live?.status === 'complete' && live.commit === commit)) startPreflight(manifest);
    },
    () => undefined,
  );
  const checkBuild = async (planned: PlannedRelease): Promise<void> => {
    if (!copiesRemain(planned)) return;
    progressTick(setup, 'preflight', `verifying the ${manifest.files.length} files of the build`);
    await preflight({ manifest, plan: planned.plan });
  };

  type Planned = { planned: PlannedRelease; journal: Journal | undefined };
  const planFrom = ([journal, listing]: Awaited<ReturnType<typeof readPlanInputs>>): Planned => {
    const planned = planRelease(manifest, journal?.record, listing, {
      sync,
      cacheRules: request.cacheRules,
      keepReleases: request.keepReleases,
      collapseAbove: request.invalidation.collapseAbove,
      adopt: request.adopt,
    });
    return { planned, journal };
  };
  const planNow = async (): Promise<Planned> => {
    progressTick(setup, 'plan', 'reading the release journal and listing the hosting bucket');
    return planFrom(await readPlanInputs());
  };

  const base = (planned: PlannedRelease, status: DeployStatus, warnings: string[] = []): DeployReport => {
    const note = journalNote(planned);
    return {
      status,
      commit,
      copied: 0,
      unchanged: planned.plan.unchanged.length,
      deleted: 0,
      deferredDeletes: planned.plan.retained.length,
      verify: { status: 'skipped', note: `nothing was deployed (${status})` },
      requests: runner.counts(),
      retries: runner.retries(),
      durationMs: now().getTime() - startedAt.getTime(),
      plan: summaryOf(planned, sync),
      warnings,
      ...(note === undefined ? {} : { previous: note }),
    };
  };
  // Nothing to do is said only when the live release is this commit and complete.
  const nothingToDo = (planned: PlannedRelease) =>
    planned.plan.noop || (request.finishOnly === true && planned.action !== 'finish');

  /**
   * The plan under the lock. Every deploy writes the journal before it changes the bucket, so a journal
   * with the same ETag as when the plan was made means no deploy changed anything since: the plan
   * stands, and the listing is not read again. Otherwise everything is planned anew.
   */
  const replanLocked = async (previous: Planned) => {
    const journal = await readJournal(s3, runner, artifactsBucket, stack);
    if (journal?.etag === previous.journal?.etag) return { ...previous, journal };
    return planNow();
  };

  let preview = planFrom(await firstReads);
  if (request.dryRun) {
    if (nothingToDo(preview.planned)) return base(preview.planned, 'noop');
    await checkBuild(preview.planned);
    return base(preview.planned, 'planned');
  }
  if (nothingToDo(preview.planned)) return base(preview.planned, 'noop');

  // plan → confirm → lock → re-plan: nobody's answer (or silence) ever holds the lock.
  let changes: string[] | undefined;
  let lock: DeployLockHandle | undefined;
  let locked: Planned | undefined;
  const lockStore = deps.lockStore ?? s3LockStore(s3, runner, artifactsBucket, stack);
  const identity = deps.identity ?? { host: hostname(), pid: process.pid };
  for (let round = 1; locked === undefined; round += 1) {
    let current: Planned;
    const takeLock = (): Promise<DeployLockHandle> => {
      progressTick(setup, 'lock', `locking stack ${stack}`);
      return acquireDeployLock(
        {
          store: lockStore,
          now,
          ...(deps.monotonic === undefined ? {} : { monotonic: deps.monotonic }),
          ...(deps.setTimer === undefined ? {} : { setTimer: deps.setTimer }),
        },
        {
          stack,
          owner: `${request.requestedBy} on ${identity.host} (pid ${identity.pid})`,
          trigger: request.trigger,
          commit,
          requestedBy: request.requestedBy,
          ttlSeconds: request.lockTtlSeconds,
          lockId: (deps.newLockId ?? randomUUID)(),
        },
      );
    };
    if (request.confirm) {
      // Before anyone is asked (again): a build that will be refused is not put up for confirmation.
      await checkBuild(preview.planned);
      progressTick(setup, 'confirm', 'waiting for confirmation');
      if (!(await request.confirm(summaryOf(preview.planned, sync, changes)))) {
        throw new FrontendOpsError(
          'CANCELLED',
          `deploy of ${commit} to ${stack} was not confirmed; nothing changed`,
          {
            hint: 'Run it again and confirm, or pass --yes.',
          },
        );
      }
      lock = await takeLock();
      current = await underLock(lock, () => replanLocked(preview));
    } else {
      // Nobody is asked: the lock is taken, and the plan checked under it, while the preflight
      // finishes its listing.
      const held = await lockAlongside(
        checkBuild(preview.planned),
        takeLock(),
        () => replanLocked(preview),
        deps,
      );
      lock = held.lock;
      current = held.value;
    }
    if (nothingToDo(current.planned)) {
      const released = await lock.release().catch(() => false);
      return base(
        current.planned,
        'noop',
        released ? [] : ['the deploy lock was lost before it was released'],
      );
    }
    changes = request.confirm ? planChanges(preview.planned, current.planned) : [];
    if (changes.length === 0) {
      locked = current;
      break;
    }
    await lock.release().catch(() => false);
    if (round >= MAX_CONFIRM_ROUNDS) {
      throw new FrontendOpsError(
        'DEPLOY_IN_PROGRESS',
        `the plan for ${stack} kept changing while waiting for confirmation`,
        {
          hint: 'Other deploys are running; try again once `frontendops status` shows the stack settled.',
          data: { changes },
        },
      );
    }
    preview = current;
  }
  if (lock === undefined) throw new FrontendOpsError('INTERNAL', 'the deploy lock was not taken');
  return runLocked(deps, request, setup, manifest, lock, locked, preflight);
}

/** `work` under a lock just taken: a failure releases the lock before it is thrown. */
async function underLock<T>(lock: DeployLockHandle, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await lock.release().catch(() => false);
    throw error;
  }
}

/**
 * The lock, taken while the preflight runs, and `afterLock` (the plan under the lock) run as soon as
 * it is held. A refused build wins over a busy lock or a failed plan (the build's error is the one
 * reported, as when the preflight ran first), and a lock taken for a refused build is released at
 * once — after its takeover of an expired lock, if it was one, is audited.
 */
async function lockAlongside<T>(
  check: Promise<void>,
  locking: Promise<DeployLockHandle>,
  afterLock: () => Promise<T>,
  deps: Pick<DeployDeps, 'onEvent'>,
): Promise<{ lock: DeployLockHandle; value: T }> {
  check.catch(() => undefined);
  let lock: DeployLockHandle;
  try {
    lock = await locking;
  } catch (error) {
    await check;
    throw error;
  }
  const [checked, after] = await Promise.allSettled([check, afterLock()]);
  if (checked.status === 'rejected') {
    if (lock.tookOver) await deps.onEvent?.(takenOverEvent(lock.tookOver));
    await lock.release().catch(() => false);
    throw checked.reason;
  }
  if (after.status === 'rejected') {
    await lock.release().catch(() => false);
    throw after.reason;
  }
  return { lock, value: after.value };
}

function takenOverEvent(from: NonNullable<DeployLockHandle['tookOver']>): EngineEvent {
  return { kind: 'lock_taken_over', from: { owner: from.owner, lockId: from.lockId, commit: from.commit } };
}

async function runLocked(
  deps: DeployDeps,
  request: DeployRequest,
  setup: Setup,
  manifest: BuildManifest,
  lock: DeployLockHandle,
  locked: { planned: PlannedRelease; journal: Journal | undefined },
  preflight: Preflight,
): Promise<DeployReport> {
  const { now, runner, startedAt } = setup;
  const { s3, invalidator } = deps;
  const { sync, commit, stack } = request;
  const { planned } = locked;
  const { plan } = planned;
  const run: ReleaseRun = {
    s3,
    runner,
    invalidator,
    lock,
    now,
    sleep: deps.sleep ?? realSleep,
    fetch: deps.fetch ?? fetch,
    settings: {
      stack,
      sync,
      ...(request.url === undefined ? {} : { url: request.url }),
      trigger: request.trigger,
      requestedBy: request.requestedBy,
      keepReleases: request.keepReleases,
      concurrency: request.concurrency,
      cacheRules: request.cacheRules,
      invalidation: request.invalidation,
      autoRollback: request.autoRollback ?? true,
      requiredFiles: request.requiredFiles ?? DEFAULT_REQUIRED_FILES,
      ...(request.tag === undefined ? {} : { tag: request.tag }),
    },
    ...(deps.checkHealth === undefined ? {} : { checkHealth: deps.checkHealth }),
    preflight,
    onProgress: setup.progress,
    emit: async (event) => {
      await deps.onEvent?.(event);
    },
    journalEtag: locked.journal?.etag ?? null,
    // Nobody else writes history entries while we hold the lock: read them now, off the critical path.
    history: listReleases(s3, sync.source.bucket, stack, runner, MAX_DEPLOYMENT_ENTRIES),
    touched: [],
    entryWrites: Promise.resolve(),
    validatedLists: new WeakSet(),
    warnings: [],
  };
  run.history.catch(() => undefined);

  let finish: () => DeployReport;
  try {
    if (lock.tookOver) {
      run.warnings.push(`took over the expired lock of ${lock.tookOver.owner}`);
      await run.emit(takenOverEvent(lock.tookOver));
    }
    let record: ReleaseRecord;
    const note = journalNote(planned);
    if (planned.action === 'finish' && planned.base !== undefined) {
      record = planned.base.steps.copied.done
        ? planned.base
        : { ...planned.base, invalidate: planned.invalidate };
      await run.emit({
        kind: 'release_finishing',
        releaseId: record.releaseId,
        commit: record.commit,
        missing: missingSteps(record),
      });
      // Copies remain: the build is checked again before them (the listing is the one made earlier).
      if (!record.steps.copied.done) await preflightLocked(run, manifest, plan);
    } else {
      await preflightLocked(run, manifest, plan);
      const kind = request.kind ?? 'deploy';
      const supersedes = planned.action === 'supersede' ? planned.base : undefined;
      record = await journalRelease(
        run,
        pendingRecord(run, plan, {
          releaseId: releaseIdFor(startedAt, commit),
          kind,
          commit,
          subject: boundedSubject(request.subject),
          startedAt,
          previousReleaseId: planned.base?.releaseId ?? null,
          ...(supersedes === undefined ? {} : { supersedes: supersedes.releaseId }),
          invalidate: planned.invalidate,
        }),
        supersedes === undefined
          ? undefined
          : { record: supersedes, reason: kind === 'deploy' ? 'superseded' : 'rollback' },
      );
    }
    const outcome = await advanceRelease(run, record, plan, manifest);
    const report = await reportFor(run, outcome, planned);
    finish = () => ({
      ...report,
      ...(note === undefined ? {} : { previous: note }),
      requests: runner.counts(),
      retries: runner.retries(),
      durationMs: now().getTime() - startedAt.getTime(),
      warnings: run.warnings,
    });
  } finally {
    // The last history entry is still in flight: it needs no lock (decisions never read it).
    const [released, entries] = await Promise.allSettled([lock.release(), flushEntries(run)]);
    if (released.status === 'rejected') {
      run.warnings.push(`releasing the deploy lock failed: ${toFrontendOpsError(released.reason).message}`);
    } else if (!released.value) {
      run.warnings.push('the deploy lock had been taken over by another deploy');
    }
    if (entries.status === 'rejected') {
      run.warnings.push(
        `writing the release history failed (${toFrontendOpsError(entries.reason).message}); the release journal is right, but \`frontendops history\` may show this release as it was before`,
      );
    }
  }
  return finish();
}

function verifyOf(verify: VerifyResult): DeployReport['verify'] {
  return { status: verify.status, ...(verify.note === undefined ? {} : { note: verify.note }) };
}

function errorOf(error: FrontendOpsError): NonNullable<DeployReport['error']> {
  return {
    code: error.code,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.data === undefined ? {} : { data: error.data }),
  };
}

/** Whether this plan still copies: a finished copy step of the release it finishes copies nothing more. */
function copiesRemain(planned: PlannedRelease): boolean {
  if (planned.action === 'finish' && planned.base?.steps.copied.done) return false;
  return planned.plan.copy.length > 0;
}

/** The preflight under the lock, before the journal is written or a file copied (none planned: none). */
async function preflightLocked(
  run: ReleaseRun,
  manifest: BuildManifest,
  plan: PlannedRelease['plan'],
): Promise<void> {
  if (plan.copy.length === 0) return;
  tick(run, 'preflight', `verifying the ${manifest.files.length} files of the build`);
  await run.preflight({ manifest, plan });
}

/** The report of a locked run, from what `advanceRelease` (and maybe a rollback) returned. */
async function reportFor(
  run: ReleaseRun,
  outcome: AdvanceOutcome,
  planned: PlannedRelease,
): Promise<DeployReport> {
  const { plan } = planned;
  const stack = run.settings.stack;
  const fromRecord = (
    record: ReleaseRecord,
  ): Omit<DeployReport, 'status' | 'verify' | 'requests' | 'retries' | 'durationMs' | 'warnings'> => ({
    commit: record.commit,
    releaseId: record.releaseId,
    kind: record.kind,
    ...(record.tag ? { tag: record.tag } : {}),
    copied: record.copied,
    unchanged: record.unchanged,
    deleted: record.deleted,
    deferredDeletes: record.deferredDeletes ?? plan.retained.length,
    ...(record.invalidationId ? { invalidationId: record.invalidationId } : {}),
    plan: summaryOf(planned, run.settings.sync),
    steps: record.steps,
  });
  const common = { requests: {}, retries: 0, durationMs: 0, warnings: [] as string[] };
  const incomplete = (
    record: ReleaseRecord,
    error: FrontendOpsError,
    verify: VerifyResult,
  ): DeployReport => ({
    ...fromRecord(record),
    ...common,
    status: 'incomplete',
    verify: verifyOf(verify),
    missing: missingSteps(record),
    error: errorOf(error),
    finishCommand: finishCommand(stack),
  });

  if (outcome.outcome === 'complete') {
    return { ...fromRecord(outcome.record), ...common, status: 'deployed', verify: verifyOf(outcome.verify) };
  }
  if (outcome.outcome === 'incomplete') return incomplete(outcome.record, outcome.error, outcome.verify);

  // The release went live and failed its check.
  const failedVerify: DeployReport['verify'] = { status: 'failed', note: outcome.error.message };
  let rollback: Awaited<ReturnType<typeof rollBackFailedRelease>>;
  try {
    rollback = await rollBackFailedRelease(run, outcome.record);
  } catch (error) {
    const err = toFrontendOpsError(error);
    if (err.code === 'LOCK_LOST') throw err;
    run.warnings.push(`rolling back automatically failed: ${err.code}: ${err.message}`);
    rollback = {
      failed: await recordFailure(run, outcome.record),
      notRolledBack: `rolling back failed (${err.code})`,
    };
  }
  const health = outcome.health === undefined ? {} : { health: outcome.health };
  if (rollback.restore === undefined) {
    return {
      ...incomplete(rollback.failed, outcome.error, outcome.verify),
      ...health,
      verify: failedVerify,
      error: {
        ...errorOf(outcome.error),
        hint: `${rollback.notRolledBack ?? 'not rolled back'}: the release stays live. Fix it and deploy again, or \`frontendops rollback --stack ${stack}\`.`,
      },
    };
  }
  const restore = rollback.restore;
  const restored = {
    releaseId: restore.record.releaseId,
    commit: restore.record.commit,
    ...(restore.record.tag ? { tag: restore.record.tag } : {}),
    status: restore.outcome === 'complete' ? ('complete' as const) : ('pending' as const),
    missing: missingSteps(restore.record),
  };
  if (restore.outcome === 'complete') {
    return {
      ...fromRecord(rollback.failed),
      ...common,
      ...health,
      status: 'rolled_back',
      verify: failedVerify,
      error: errorOf(outcome.error),
      restored,
    };
  }
  return {
    ...incomplete(restore.record, restore.error, restore.verify),
    ...health,
    restored,
    error: {
      code: restore.error.code,
      message: `release ${rollback.failed.releaseId} failed its check (${outcome.error.message}); rolling back to ${restore.record.commit.slice(0, 12)} did not finish: ${restore.error.message}`,
      hint: `Finish the rollback with \`${finishCommand(stack)}\`.`,
    },
  };
}

/**
 * `frontendops status --finish`: finishes the unfinished release of the stack, if there is one —
 * the same locked steps a retried deploy of that commit runs — and starts nothing new.
 */
export async function finishRelease(
  deps: DeployDeps,
  request: Omit<DeployRequest, 'commit' | 'kind' | 'subject' | 'finishOnly'>,
): Promise<DeployReport> {
  assertRequest(request);
  assertSyncBoundTo(request.sync, request.stackBuckets, request.stack);
  const setup = setupRun(deps);
  const journal = await readJournal(deps.s3, setup.runner, request.sync.source.bucket, request.stack);
  if (journal === undefined || journal.record.status !== 'pending') {
    const live = journal?.record;
    return {
      status: 'noop',
      commit: live?.commit ?? '',
      ...(live ? { releaseId: live.releaseId, kind: live.kind, steps: live.steps } : {}),
      ...(live?.tag ? { tag: live.tag } : {}),
      copied: 0,
      unchanged: live?.files.length ?? 0,
      deleted: 0,
      deferredDeletes: live?.retained.length ?? 0,
      verify: { status: 'skipped', note: 'no unfinished release' },
      nothingToFinish: true,
      requests: setup.runner.counts(),
      retries: setup.runner.retries(),
      durationMs: setup.now().getTime() - setup.startedAt.getTime(),
      plan: emptySummary(request.sync, live?.commit ?? null),
      warnings: [],
    };
  }
  return runDeploy(deps, {
    ...request,
    commit: journal.record.commit,
    kind: journal.record.kind,
    ...(journal.record.subject === null ? {} : { subject: journal.record.subject }),
    finishOnly: true,
  });
}

function emptySummary(sync: SyncCommand, commit: string | null): PlanSummary {
  return {
    commit: commit ?? '',
    previousCommit: commit,
    destination: `s3://${sync.destination.bucket}/${sync.destination.prefix}`,
    noop: true,
    copy: {
      total: 0,
      bytes: 0,
      byPhase: { immutable: 0, other: 0, html: 0, index: 0 },
      byReason: { new: 0, missing: 0, unknown: 0, changed: 0, drift: 0, headers: 0 },
    },
    unchanged: 0,
    deleteLater: 0,
    deferredDeletes: 0,
    invalidate: [],
    sample: { copy: [], deleteLater: [] },
    unknown: { count: 0, bytes: 0, adoptionId: null, adopted: false, objects: [] },
  };
}
