import type { S3Client } from '@aws-sdk/client-s3';
import type { Invalidator } from '../cdn/invalidator.js';
import type { CacheRule } from '../config/schema.js';
import { type FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { buildDeploymentsDocument, publishDeployments } from './deployments-doc.js';
import { executeCopies, type ProgressEvent } from './executor.js';
import { type HealthInput, type HealthReport, healthCheckError } from './health.js';
import { boundedHealth, completed, markStep, missingSteps, noSteps, withFailure } from './journal.js';
import type { DeployLockHandle } from './lock.js';
import type { DeployPlan } from './plan.js';
import type { Preflight } from './preflight.js';
import { deleteSiteFiles } from './prune.js';
import { releaseEntryOf, writeHistoryEntry, writeJournal } from './releases.js';
import type { RequestRunner } from './requests.js';
import type {
  BuildManifest,
  ReleaseEntry,
  ReleaseFile,
  ReleaseKind,
  ReleaseRecord,
  ReleaseStep,
  Trigger,
} from './schemas.js';
import { buildPrefixFor, type SyncCommand } from './sync-command.js';
import { VERSION_FILE, type VerifyResult, verifyDeployment } from './verify.js';

/**
 * The steps of one release after its plan, each a named function (docs/engine.md lists them in
 * order): `journalRelease` writes the record `pending` with its full file list; `copyRelease`,
 * `invalidateRelease`, `checkRelease` (version.json and the health check), `tagDeployedRelease`,
 * `pruneRelease` and `publishHistory` each run only if the record says they have not, and are
 * recorded when they complete; `completeRelease` ends it. `advanceRelease` runs whatever is missing,
 * so the same code makes a new release and finishes an interrupted one. Every journal write is fenced
 * (the lock, then a compare-and-swap on current.json); so are the `index.html` phase, deletes and the
 * tag.
 */

/** What the site health check (health.ts `checkSiteHealth`) answers. */
export type HealthResult = HealthReport;
/** The site health check bound to its fetch, sleep, clock and options (health.ts `siteHealthCheck`). */
export type CheckHealth = (input: HealthInput) => Promise<HealthReport>;
export type { Preflight };

/** A step worth an audit line; the agent writes them to the audit log. */
export type EngineEvent =
  | { kind: 'lock_taken_over'; from: { owner: string; lockId: string; commit: string } }
  | {
      kind: 'release_journaled';
      releaseId: string;
      commit: string;
      releaseKind: ReleaseKind;
      supersedes?: string;
    }
  | { kind: 'release_superseded'; releaseId: string; by: string; missing: ReleaseStep[] }
  | { kind: 'release_finishing'; releaseId: string; commit: string; missing: ReleaseStep[] }
  | {
      kind: 'health_check_failed';
      releaseId: string;
      commit: string;
      code: string;
      message: string;
      failures: HealthResult['failures'];
    }
  | { kind: 'auto_rollback'; from: string; to: { releaseId: string; commit: string }; outcome: string }
  | { kind: 'release_incomplete'; releaseId: string; missing: ReleaseStep[]; code: string; message: string }
  | { kind: 'release_complete'; releaseId: string; commit: string };

export interface ReleaseSettings {
  stack: string;
  sync: SyncCommand;
  url?: string;
  trigger: Trigger;
  requestedBy: string;
  keepReleases: number;
  concurrency: number;
  cacheRules: CacheRule[];
  invalidation: { collapseAbove: number; maxWaitSeconds: number };
  autoRollback: boolean;
  /** Entry files every build must have (a rollback's target build is held to them too). */
  requiredFiles: readonly string[];
  tag?: (release: ReleaseRecord) => Promise<string>;
}

/** One locked run of the engine: its clients, its lock, and the journal ETag it last saw. */
export interface ReleaseRun {
  s3: S3Client;
  runner: RequestRunner;
  invalidator: Invalidator;
  lock: DeployLockHandle;
  now: () => Date;
  /** Backoff between the edge checks' retries (verify). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  fetch: typeof fetch;
  settings: ReleaseSettings;
  checkHealth?: CheckHealth;
  /** The preflight of this run's build (its one listing), before the journal and the first copy. */
  preflight: Preflight;
  onProgress: (event: ProgressEvent) => void;
  emit: (event: EngineEvent) => Promise<void>;
  /** current.json's ETag as this run last read or wrote it; null when there is none. */
  journalEtag: string | null;
  /** The newest history entries, read once the lock was taken (deployments.json is built from them). */
  history: Promise<ReleaseEntry[]>;
  /** History entries this run rewrote (freshest first): they win over `history`. */
  touched: ReleaseEntry[];
  /**
   * The history entry writes in flight, one after another (writeEntry); `flushEntries` waits for
   * them. Nothing decides on an entry, so they run alongside the steps that follow them.
   */
  entryWrites: Promise<void>;
  /** The first entry write that failed, reported by `flushEntries`. */
  entryFailure?: unknown;
  /** File lists this run's journal writes already validated (writeJournal does not parse them again). */
  validatedLists?: WeakSet<object>;
  warnings: string[];
}

export function tick(run: ReleaseRun, step: ProgressEvent['step'], message: string): void {
  run.onProgress({ step, done: 0, total: 0, bytes: 0, totalBytes: 0, message });
}

/** The record's file list: what stays (with the ETag the listing showed) and what is copied. */
export function recordFiles(plan: DeployPlan, etags: ReadonlyMap<string, string>): ReleaseFile[] {
  const files: ReleaseFile[] = [...plan.unchanged];
  for (const copy of plan.copy) {
    const etag = etags.get(copy.path);
    files.push({
      path: copy.path,
      sha256: copy.sha256,
      ...(etag === undefined ? {} : { etag }),
      size: copy.size,
      contentType: copy.contentType,
      cacheControl: copy.cacheControl,
    });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface NewRelease {
  releaseId: string;
  kind: ReleaseKind;
  commit: string;
  subject: string | null;
  startedAt: Date;
  previousReleaseId: string | null;
  supersedes?: string;
  invalidate: string[];
}

/** A `pending` record with the full file list of the plan: what `journalRelease` writes. */
export function pendingRecord(run: ReleaseRun, plan: DeployPlan, release: NewRelease): ReleaseRecord {
  const { settings } = run;
  return {
    schema: 1,
    releaseId: release.releaseId,
    stack: settings.stack,
    commit: release.commit,
    tag: null,
    kind: release.kind,
    trigger: settings.trigger,
    requestedBy: settings.requestedBy,
    subject: release.subject,
    status: 'pending',
    steps: noSteps(),
    startedAt: release.startedAt.toISOString(),
    finishedAt: null,
    destination: settings.sync.destination,
    ...(release.previousReleaseId === null ? {} : { previousReleaseId: release.previousReleaseId }),
    ...(release.supersedes === undefined ? {} : { supersedes: release.supersedes }),
    files: recordFiles(plan, new Map()),
    retained: plan.retained,
    invalidate: release.invalidate,
    ...(plan.deleteLater.length === 0 ? {} : { deleteLater: plan.deleteLater }),
    copied: plan.copy.length,
    unchanged: plan.unchanged.length,
    deleted: 0,
    deferredDeletes: plan.retained.length,
    invalidationId: null,
    lockId: run.lock.lock.lockId,
  };
}

/** A fenced write of the journal (current.json): the lock first, then a compare-and-swap on its ETag. */
export async function writeRecord(run: ReleaseRun, record: ReleaseRecord): Promise<ReleaseRecord> {
  await run.lock.fence('release record');
  const written = { ...record, lockId: run.lock.lock.lockId };
  run.journalEtag = await writeJournal(
    run.s3,
    run.runner,
    run.settings.sync.source.bucket,
    written,
    run.journalEtag,
    run.validatedLists,
  );
  return written;
}

/**
 * History entries are informational (decisions read current.json only): each is written after the
 * journal write it mirrors, and the entry writes of a run go out in order (an entry's key is rewritten
 * as its release moves on). The returned promise is that one write; callers that need it done before
 * going on await it, the others leave it in flight and `flushEntries` collects it — before the
 * `index.html` phase, before the copies are recorded, and when the lock is released.
 */
export function writeEntry(run: ReleaseRun, record: ReleaseRecord | ReleaseEntry): Promise<void> {
  const entry = 'files' in record ? releaseEntryOf(record) : record;
  run.touched = [entry, ...run.touched.filter((e) => e.releaseId !== entry.releaseId)];
  const write = run.entryWrites
    .catch(() => undefined)
    .then(() => writeHistoryEntry(run.s3, run.runner, run.settings.sync.source.bucket, entry));
  run.entryWrites = write;
  write.catch((error: unknown) => {
    run.entryFailure ??= error;
  });
  return write;
}

/** Waits for the history entry writes in flight; throws the first that failed. */
export async function flushEntries(run: ReleaseRun): Promise<void> {
  await run.entryWrites.catch(() => undefined);
  if (run.entryFailure !== undefined) throw run.entryFailure;
}

/**
 * `journalRelease`: the record, `pending`, with its full file list, becomes the journal before the
 * first copy; a release it replaces ends `rolled_back` in the history.
 */
export async function journalRelease(
  run: ReleaseRun,
  record: ReleaseRecord,
  replaced?: { record: ReleaseRecord; reason: 'health-check' | 'rollback' | 'superseded' },
): Promise<ReleaseRecord> {
  tick(run, 'journal', `journaling release ${record.releaseId}`);
  const written = await writeRecord(run, record);
  if (replaced) {
    const ended: ReleaseRecord = {
      ...replaced.record,
      status: 'rolled_back',
      finishedAt: run.now().toISOString(),
      endedBy: { releaseId: record.releaseId, reason: replaced.reason },
    };
    void writeEntry(run, ended);
    if (replaced.reason === 'superseded' || replaced.reason === 'rollback') {
      await run.emit({
        kind: 'release_superseded',
        releaseId: replaced.record.releaseId,
        by: record.releaseId,
        missing: missingSteps(replaced.record),
      });
    }
  }
  // In flight during the copies: flushed before index.html goes live.
  void writeEntry(run, written);
  await run.emit({
    kind: 'release_journaled',
    releaseId: written.releaseId,
    commit: written.commit,
    releaseKind: written.kind,
    ...(written.supersedes === undefined ? {} : { supersedes: written.supersedes }),
  });
  return written;
}

/**
 * `copyRelease`: the planned copies in phases, `index.html` last and only after a fence; the record
 * then gets the ETag of every copy (so the next plan trusts them) and `copied`. Each copy is
 * conditional on the source ETag that publish recorded and the preflight verified, so a build file
 * replaced since fails its copy (BUILD_CORRUPT) instead of going live unverified.
 */
export async function copyRelease(
  run: ReleaseRun,
  record: ReleaseRecord,
  plan: DeployPlan,
  manifest: BuildManifest,
): Promise<ReleaseRecord> {
  const { settings, lock } = run;
  const fenceIndex = async () => {
    await flushEntries(run);
    await lock.fence('index.html');
  };
  const etags = await executeCopies(
    {
      s3: run.s3,
      runner: run.runner,
      concurrency: settings.concurrency,
      keepAlive: () => lock.checkLease(),
      beforePhase: (phase) => (phase === 'index' ? fenceIndex() : lock.checkLease()),
      // The fence's lock write goes out while the last other files finish; `beforePhase` then finds
      // it inside the fence window, or renews again.
      preparePhase: async (phase) => {
        if (phase === 'index') await fenceIndex();
      },
      onProgress: run.onProgress,
    },
    plan.copy,
    {
      source: { bucket: settings.sync.source.bucket, prefix: buildPrefixFor(settings.sync, record.commit) },
      destination: settings.sync.destination,
      sourceEtags: new Map(
        manifest.files.flatMap((f) => (f.etag === undefined ? [] : [[f.path, f.etag] as const])),
      ),
    },
  );
  await flushEntries(run);
  tick(run, 'record', 'recording the copied files');
  const copied = markStep(
    {
      ...record,
      files: recordFiles(plan, etags),
      copied: plan.copy.length,
      unchanged: plan.unchanged.length,
    },
    'copied',
    run.now(),
  );
  return writeRecord(run, copied);
}

/** `invalidateRelease`: the record's invalidation paths, waiting for completion while the lock renews. */
export async function invalidateRelease(run: ReleaseRun, record: ReleaseRecord): Promise<ReleaseRecord> {
  if (record.invalidate.length === 0)
    return markStep(record, 'invalidated', run.now(), 'nothing to invalidate');
  tick(run, 'invalidate', `invalidating ${record.invalidate.length} path(s) and waiting for the CDN`);
  const result = await run.invalidator
    .invalidate(record.invalidate, { wait: true, maxWaitSeconds: run.settings.invalidation.maxWaitSeconds })
    .catch((error: unknown) => {
      throw toFrontendOpsError(error, 'INVALIDATION_FAILED');
    });
  await run.lock.checkLease();
  return markStep({ ...record, invalidationId: result.invalidationId }, 'invalidated', run.now());
}

export interface CheckOutcome {
  record: ReleaseRecord;
  verify: VerifyResult;
}

/** What failed a release's check: VERIFY_FAILED or HEALTH_CHECK_FAILED, with the health details. */
export class ReleaseCheckFailed extends Error {
  constructor(
    readonly error: FrontendOpsError,
    readonly health: HealthResult | undefined,
  ) {
    super(error.message);
  }
}

/**
 * `checkRelease`: the edge serves this commit's version.json, and index.html plus every same-origin
 * asset it references loads with the Content-Type the build declared (health.ts). A site that answers
 * wrong throws ReleaseCheckFailed (the caller rolls back); a site that cannot be reached at all
 * (ENDPOINT_UNREACHABLE) says nothing about the release, so that is thrown as is and the release is
 * reported incomplete, never rolled back because of it.
 */
export async function checkRelease(
  run: ReleaseRun,
  record: ReleaseRecord,
  manifest: BuildManifest,
): Promise<CheckOutcome> {
  const { url } = run.settings;
  tick(run, 'verify', `checking ${VERSION_FILE} through the edge`);
  let verify: VerifyResult;
  try {
    verify = await verifyDeployment(
      run.fetch,
      url,
      record.commit,
      manifest.files.some((f) => f.path === VERSION_FILE),
      { sleep: run.sleep, now: run.now },
    );
  } catch (error) {
    const err = toFrontendOpsError(error, 'VERIFY_FAILED');
    if (err.code !== 'VERIFY_FAILED') throw err;
    throw new ReleaseCheckFailed(err, undefined);
  }
  let checked = record;
  if (run.checkHealth !== undefined && url !== undefined) {
    tick(run, 'verify', 'checking index.html and its assets through the edge');
    // The Content-Type the build declares: a cache rule or an edge that serves scripts as something
    // else breaks the page just as a missing file does.
    const health = await run.checkHealth({
      url,
      commit: record.commit,
      files: manifest.files.map((f) => ({ path: f.path, contentType: f.contentType, sha256: f.sha256 })),
    });
    await run.lock.checkLease();
    checked = { ...checked, health: boundedHealth(health) };
    if (!health.ok) throw new ReleaseCheckFailed(healthCheckError(health, url), health);
  }
  await run.lock.checkLease();
  // Said in the record when only version.json was checked (the health check is off, or there is no url).
  const note =
    verify.status === 'skipped'
      ? verify.note
      : checked.health === undefined
        ? 'version.json only: the page and its assets were not checked'
        : undefined;
  return { record: markStep(checked, 'verified', run.now(), note), verify };
}

/** `tagDeployedRelease`: after a fence, the deploy tag (bounded message, idempotent per release). */
export async function tagDeployedRelease(run: ReleaseRun, record: ReleaseRecord): Promise<ReleaseRecord> {
  const { tag } = run.settings;
  if (tag === undefined) return markStep(record, 'tagged', run.now(), 'no tagger configured');
  tick(run, 'tag', 'tagging the release');
  await run.lock.fence('tag');
  const name = await tag(record);
  return writeRecord(run, markStep({ ...record, tag: name }, 'tagged', run.now()));
}

/**
 * `pruneRelease`: deletes what no kept release needs (`plan.deleteLater`), only now — the new
 * `index.html` is live and the CDN forgot the old files — one fenced batch at a time.
 */
export async function pruneRelease(
  run: ReleaseRun,
  record: ReleaseRecord,
  plan: DeployPlan,
): Promise<ReleaseRecord> {
  if (plan.deleteLater.length === 0) return markStep(record, 'pruned', run.now(), 'nothing to delete');
  tick(run, 'prune', `deleting ${plan.deleteLater.length} file(s) no kept release needs`);
  const deleted = await deleteSiteFiles(
    run.s3,
    run.runner,
    run.settings.sync.destination,
    plan.deleteLater,
    () => run.lock.fence('delete'),
  );
  return markStep({ ...record, deleted }, 'pruned', run.now());
}

/** `publishHistory`: deployments.json from the release records, this release shown as it completes. */
export async function publishHistory(run: ReleaseRun, record: ReleaseRecord): Promise<ReleaseRecord> {
  tick(run, 'publish', 'publishing deployments.json');
  const at = run.now();
  const finishing = markStep(completed(record, at), 'published', at);
  const history = await run.history;
  const document = buildDeploymentsDocument(
    run.settings.stack,
    [releaseEntryOf(finishing), ...run.touched, ...history],
    record.releaseId,
    at,
  );
  await run.lock.fence('deployments.json');
  await publishDeployments(run.s3, run.runner, run.settings.sync.destination, document);
  return markStep(record, 'published', at);
}

/** `completeRelease`: every step done; the journal and the history say `complete`. */
export async function completeRelease(run: ReleaseRun, record: ReleaseRecord): Promise<ReleaseRecord> {
  const done = await writeRecord(run, completed(record, run.now()));
  // Flushed alongside the unlock (runLocked).
  void writeEntry(run, done);
  await run.emit({ kind: 'release_complete', releaseId: done.releaseId, commit: done.commit });
  return done;
}

export type AdvanceOutcome =
  | { outcome: 'complete'; record: ReleaseRecord; verify: VerifyResult }
  | { outcome: 'incomplete'; record: ReleaseRecord; verify: VerifyResult; error: FrontendOpsError }
  | {
      outcome: 'check_failed';
      record: ReleaseRecord;
      verify: VerifyResult;
      error: FrontendOpsError;
      health: HealthResult | undefined;
    };

const NOT_CHECKED: VerifyResult = { status: 'skipped', note: 'done by an earlier run' };

/**
 * `advanceRelease`: runs the missing steps of a journaled release in order. A failed step is recorded
 * in the journal (best effort) and returned as `incomplete`; a failed check as `check_failed` (the
 * caller rolls back or reports); a lost lock is thrown, and nothing more is written.
 */
export async function advanceRelease(
  run: ReleaseRun,
  journaled: ReleaseRecord,
  plan: DeployPlan,
  manifest: BuildManifest,
): Promise<AdvanceOutcome> {
  let record = journaled;
  let verify = NOT_CHECKED;
  let step: ReleaseStep = 'copied';
  try {
    if (!record.steps.copied.done) record = await copyRelease(run, record, plan, manifest);
    step = 'invalidated';
    if (!record.steps.invalidated.done) record = await invalidateRelease(run, record);
    step = 'verified';
    if (!record.steps.verified.done) {
      try {
        ({ record, verify } = await checkRelease(run, record, manifest));
      } catch (error) {
        if (!(error instanceof ReleaseCheckFailed)) throw error;
        const failed = withFailure(
          { ...record, ...(error.health ? { health: boundedHealth(error.health) } : {}) },
          { step, code: error.error.code, message: error.error.message },
          run.now(),
        );
        await run.emit({
          kind: 'health_check_failed',
          releaseId: record.releaseId,
          commit: record.commit,
          code: error.error.code,
          message: error.error.message,
          failures: error.health?.failures.slice(0, 20) ?? [],
        });
        return { outcome: 'check_failed', record: failed, verify, error: error.error, health: error.health };
      }
      // Recorded with the tag (or the completion): checking again after a crash is harmless.
    }
    step = 'tagged';
    if (!record.steps.tagged.done) record = await tagDeployedRelease(run, record);
    step = 'pruned';
    if (!record.steps.pruned.done) record = await pruneRelease(run, record, plan);
    step = 'published';
    if (!record.steps.published.done) record = await publishHistory(run, record);
    record = await completeRelease(run, record);
    return { outcome: 'complete', record, verify };
  } catch (error) {
    const err = toFrontendOpsError(error);
    if (err.code === 'LOCK_LOST') throw err;
    const failed = withFailure(record, { step, code: err.code, message: err.message }, run.now());
    const saved = await recordFailure(run, failed);
    await run.emit({
      kind: 'release_incomplete',
      releaseId: record.releaseId,
      missing: missingSteps(saved),
      code: err.code,
      message: err.message,
    });
    return { outcome: 'incomplete', record: saved, verify, error: err };
  }
}

/** Writes a failure into the journal and history; a write that fails too leaves the last journal. */
export async function recordFailure(run: ReleaseRun, failed: ReleaseRecord): Promise<ReleaseRecord> {
  try {
    const written = await writeRecord(run, failed);
    await writeEntry(run, written);
    return written;
  } catch (error) {
    const err = toFrontendOpsError(error);
    if (err.code === 'LOCK_LOST') throw err;
    run.warnings.push(
      `recording the failure in the release journal failed too (${err.code}: ${err.message})`,
    );
    return failed;
  }
}
