import { monotonicFactory } from 'ulid';
import {
  type JobKind,
  type JobRecord,
  type JobStatus,
  JobStatusSchema,
  jobKeyName,
} from '../deploy/job-schema.js';
import { isJobLeaseExpired, type JobObject, type JobStore } from '../deploy/job-store.js';
import type { ProgressEvent } from '../deploy/pipeline.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { errorStatus, formatErrorText } from '../outcome.js';
import type { Answer } from './dispatch.js';

/**
 * Deploy jobs shared by every agent instance (`frontendops mcp` replicas, `schedule` timers): each job
 * is a record in the stack's artifacts bucket (deploy/job-store.ts), so any instance answers for any
 * job and a restart forgets nothing. The coordination rules — which docs/agent.md states for operators:
 *
 * 1. `start` refuses at once, creating nothing, while the stack's deploy lock is held (not expired, by
 *    S3's clock) or this instance runs a job on it: the answer names the running job and its holder.
 * 2. Otherwise it creates the job (`If-None-Match: *`) and runs it in the background. The deploy itself
 *    takes the lock with the job id as lock id; two instances that both passed step 1 meet there, and
 *    the loser's job ends `refused` (DEPLOY_IN_PROGRESS, naming the winner) or `noop` (already live).
 * 3. While a job runs its instance rewrites it every lease/3 (`If-Match`): its lease. A job still
 *    `running` whose last write is older than its lease, by S3's clock, belongs to a dead instance.
 * 4. Whoever meets such a job — reading it, listing it, taking over its expired lock in a deploy, or
 *    ending another job of its stack (which looks over the stack's newest jobs) — settles it from the
 *    release journal: the release it journaled decides (complete → deployed,
 *    rolled back → rolled_back, still pending → incomplete with the missing steps, to be finished by the
 *    next deploy of the stack); no release means nothing went live (failed, JOB_ABANDONED).
 * 5. An `incomplete` job whose release was finished later reads as that release now is (and is
 *    rewritten so), so a job's status never contradicts its release record.
 * 6. The instance that ran a job has the last word on it: its final write retries on a changed ETag,
 *    so a job settled while its instance was merely stalled ends with what really happened.
 */

/** What a settled job's release looks like (from the release journal). */
export interface ReleaseView {
  releaseId: string;
  status: 'pending' | 'complete' | 'rolled_back';
  commit: string;
  tag?: string;
  missing: string[];
  /** Why it was rolled back, when it was. */
  endedBy?: string;
}

export interface LockView {
  /** The lock id, which is the job id when an agent job took the lock. */
  lockId: string;
  /** Who holds it, in words ("mcp:claude on host-1 (pid 12)…"). */
  holder: string;
  expired: boolean;
}

/** Where jobs, locks and releases are, per stack: wired to S3 by the session, to fakes in tests. */
export interface JobBackend {
  /** The configured stacks, in config order. */
  readonly stacks: readonly string[];
  store(stack: string): Promise<JobStore>;
  lock(stack: string): Promise<LockView | undefined>;
  /** The release a job journaled: `releaseId` when the job recorded it, else the one written under its lock. */
  release(stack: string, ref: { releaseId?: string; jobId: string }): Promise<ReleaseView | undefined>;
}

/** The engine's events a job cares about (a structural subset of the pipeline's events). */
export type JobEngineEvent =
  | { kind: 'release_journaled' | 'release_finishing'; releaseId: string; commit?: string }
  | { kind: 'lock_taken_over'; from: { lockId: string } }
  | { kind: string };

export interface JobRunContext {
  jobId: string;
  onProgress(event: ProgressEvent): void;
  onEngineEvent(event: JobEngineEvent): Promise<void>;
}

export interface StartJob {
  stack: string;
  kind: JobKind;
  request: Record<string, unknown>;
  trigger: JobRecord['trigger'];
  requestedBy: string;
  run(ctx: JobRunContext): Promise<Answer>;
}

export interface JobCoordinatorOptions {
  backend: JobBackend;
  /** This instance, as job records and lock owners name it. */
  instance: string;
  leaseSeconds: number;
  now: () => Date;
  newId?: () => string;
  /** Runs `fn` after `ms`; returns a cancel function (default: an unref'd setTimeout). */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

export interface JobListPage {
  jobs: JobRecord[];
  /** Pass back as `cursor` for the next page. */
  cursor?: string;
}

const MAX_FINAL_WRITE_ROUNDS = 5;
const MAX_REMEMBERED_JOBS = 10_000;
/** How many of a stack's newest jobs a finished job looks over for dead instances' jobs. */
const SWEPT_JOBS = 10;

function defaultSetTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

function jobNotFound(jobId: string, where: string): FrontendOpsError {
  return new FrontendOpsError('JOB_NOT_FOUND', `no deployment ${jobId} in ${where}`, {
    hint: 'Use an id that deploy_dashboard or list_deployments gave; `frontendops history` lists the releases.',
    data: { deploymentId: jobId },
  });
}

/** A job's outcome fields from the flow's answer. Pure. */
export function outcomeOf(answer: Answer, now: Date): Partial<JobRecord> {
  const parsed = JobStatusSchema.safeParse(answer.json.status);
  const status: JobStatus =
    parsed.success && parsed.data !== 'running' ? parsed.data : answer.ok ? 'deployed' : 'failed';
  const { json } = answer;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const commit = str(json.commit);
  const releaseId = str(json.releaseId);
  const tag = str(json.tag);
  const missing = Array.isArray(json.missing) ? json.missing.filter((m) => typeof m === 'string') : [];
  const hint = str(json.hint);
  return {
    status,
    finishedAt: now.toISOString(),
    result: json,
    summary: (answer.text.split('\n')[0] ?? '').slice(0, 1000),
    ...(commit !== undefined && /^[0-9a-f]{40}$/.test(commit) ? { commit } : {}),
    ...(releaseId !== undefined ? { releaseId } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(missing.length > 0 ? { missing } : {}),
    ...(answer.error
      ? {
          error: {
            code: answer.error.code,
            message: String(json.message ?? answer.error.message).slice(0, 2000),
            ...(hint !== undefined ? { hint: hint.slice(0, 1000) } : {}),
          },
        }
      : {}),
  };
}

/**
 * "already being deployed by …": the stack's lock is held, by a deploy job (its lock id is the job id,
 * a ULID) or by someone else (`frontendops deploy`, whose lock id is no deployment). Pure.
 */
export function busyError(stack: string, lockId: string, holder: string): FrontendOpsError {
  const isJob = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(lockId);
  return new FrontendOpsError(
    'DEPLOY_IN_PROGRESS',
    `${stack} is already being deployed by ${holder}${isJob ? ` — deployment ${lockId}` : ''}`,
    {
      hint: isJob
        ? `Poll get_deployment_status for ${lockId}; \`frontendops status --stack ${stack}\` shows the lock.`
        : `Wait for it to finish; \`frontendops status --stack ${stack}\` shows the lock.`,
      data: { ...(isJob ? { deploymentId: lockId } : {}), stack, holder },
    },
  );
}

/**
 * A job that passed the quick check but met the lock in its deploy (another instance took it first) is
 * refused the same way, naming the deployment that holds the lock. Other answers pass through. Pure.
 */
export function withHolderNamed(answer: Answer, stack: string): Answer {
  const holder = (answer.error?.data as { holder?: { lockId?: unknown; owner?: unknown } } | undefined)
    ?.holder;
  if (answer.error?.code !== 'DEPLOY_IN_PROGRESS' || typeof holder?.lockId !== 'string') return answer;
  const error = busyError(
    stack,
    holder.lockId,
    typeof holder.owner === 'string' ? holder.owner : 'another deploy',
  );
  const line = formatErrorText(error).split('\n')[0] ?? '';
  return {
    ...answer,
    text: line,
    json: { ...answer.json, status: 'refused', code: error.code, message: error.message, hint: error.hint },
    error,
  };
}

/** How a dead instance's job ends, from its release. Pure. */
export function settledOutcome(release: ReleaseView | undefined, stack: string): Partial<JobRecord> {
  if (release === undefined) {
    return {
      status: 'failed',
      summary: `Failed [JOB_ABANDONED] the instance running this deploy stopped before anything went live on ${stack}; nothing changed.`,
      error: {
        code: 'JOB_ABANDONED',
        message: `the instance running this deploy stopped before anything went live on ${stack}; nothing changed`,
        hint: 'Deploy again: "Deploy the latest dashboard".',
      },
    };
  }
  const base = {
    releaseId: release.releaseId,
    commit: release.commit,
    ...(release.tag ? { tag: release.tag } : {}),
  };
  switch (release.status) {
    case 'complete':
      return {
        ...base,
        status: 'deployed',
        summary: `Deployed ${release.commit.slice(0, 7)} to ${stack} (release ${release.releaseId}, finished after its instance stopped).`,
      };
    case 'rolled_back':
      return {
        ...base,
        status: 'rolled_back',
        summary: `Rolled back release ${release.releaseId} on ${stack}${release.endedBy ? ` (${release.endedBy})` : ''}.`,
      };
    case 'pending':
      return {
        ...base,
        status: 'incomplete',
        missing: release.missing,
        summary: `Incomplete [RELEASE_INCOMPLETE] release ${release.releaseId} on ${stack}: its instance stopped; missing ${release.missing.join(', ') || 'nothing'}. The next deploy of ${stack} finishes it.`,
        error: {
          code: 'RELEASE_INCOMPLETE',
          message: `the instance running release ${release.releaseId} stopped; missing steps: ${release.missing.join(', ')}`,
          hint: `\`frontendops status --finish --stack ${stack}\` finishes it (so does the next deploy).`,
        },
      };
  }
}

/**
 * One job this instance runs: its own view of the record (rule 6: while alive, the owner's view wins
 * over a settlement written while it was stalled), the ETag and revision it last saw, serialized writes.
 */
class JobHandle {
  private chain: Promise<void> = Promise.resolve();
  private revision: number;

  constructor(
    private readonly store: JobStore,
    public record: JobRecord,
    private etag: string,
    private readonly writer: string,
    private readonly now: () => Date,
  ) {
    this.revision = record.revision;
  }

  write(patch: Partial<JobRecord>): Promise<void> {
    const next = this.chain.then(() => this.apply(patch));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async apply(patch: Partial<JobRecord>): Promise<void> {
    for (let round = 0; round < MAX_FINAL_WRITE_ROUNDS; round += 1) {
      const candidate: JobRecord = {
        ...this.record,
        ...patch,
        revision: this.revision + 1,
        writer: this.writer,
        updatedAt: this.now().toISOString(),
      };
      const result = await this.store.replace(candidate, this.etag);
      if (result.ok) {
        [this.record, this.etag, this.revision] = [candidate, result.etag, candidate.revision];
        return;
      }
      // Someone judged this job dead while this instance stalled: write over their settlement.
      const seen = await this.store.read(this.record.stack, this.record.jobId);
      if (seen === undefined) return;
      [this.etag, this.revision] = [seen.etag, seen.job.revision];
    }
  }

  settledWrites(): Promise<void> {
    return this.chain;
  }
}

export class JobCoordinator {
  private readonly running = new Map<string, { stack: string; promise: Promise<JobRecord> }>();
  /**
   * The stack of each job id this instance has met: a job never moves, so a poll for a known id reads
   * one key instead of looking in every stack. Bounded (oldest forgotten first); a miss only costs a search.
   */
  private readonly stackOfJob = new Map<string, string>();
  private readonly newId: () => string;
  private readonly setTimer: (fn: () => void, ms: number) => () => void;

  constructor(private readonly options: JobCoordinatorOptions) {
    this.newId = options.newId ?? monotonicFactory();
    this.setTimer = options.setTimer ?? defaultSetTimer;
  }

  get stacks(): readonly string[] {
    return this.options.backend.stacks;
  }

  private busy(stack: string, jobId: string, holder: string): FrontendOpsError {
    return busyError(stack, jobId, holder);
  }

  /** Rule 1 and 2: refuse at once when the stack is busy, else create the job and run it. */
  async start(spec: StartJob): Promise<JobRecord> {
    const { backend, instance, leaseSeconds } = this.options;
    for (const [jobId, job] of this.running) {
      if (job.stack === spec.stack) throw this.busy(spec.stack, jobId, `this instance (${instance})`);
    }
    const lock = await backend.lock(spec.stack);
    if (lock !== undefined && !lock.expired) throw this.busy(spec.stack, lock.lockId, lock.holder);

    const store = await backend.store(spec.stack);
    const at = this.options.now().toISOString();
    const record: JobRecord = {
      schema: 1,
      jobId: this.newId(),
      stack: spec.stack,
      kind: spec.kind,
      request: spec.request,
      trigger: spec.trigger,
      requestedBy: spec.requestedBy.slice(0, 200),
      instance,
      status: 'running',
      createdAt: at,
      updatedAt: at,
      finishedAt: null,
      leaseSeconds,
      revision: 0,
      writer: instance,
    };
    const created = await store.create(record);
    if (!created.created) {
      throw new FrontendOpsError(
        'S3_ERROR',
        `deployment id ${record.jobId} already exists in ${store.where}`,
        {
          hint: 'Two instances drew the same id; try again.',
        },
      );
    }
    const handle = new JobHandle(store, record, created.etag, instance, this.options.now);
    // Started after the record exists, so the first heartbeat has something to renew.
    const promise = this.execute(handle, spec).finally(() => this.running.delete(record.jobId));
    promise.catch(() => undefined);
    this.running.set(record.jobId, { stack: spec.stack, promise });
    this.remember(record.jobId, spec.stack);
    return { ...record };
  }

  private async execute(handle: JobHandle, spec: StartJob): Promise<JobRecord> {
    const { now, leaseSeconds } = this.options;
    let progress: JobRecord['progress'];
    let progressWritten: JobRecord['progress'];
    let stopped = false;
    let cancel: (() => void) | undefined;
    const beat = () => {
      if (stopped) return;
      cancel = this.setTimer(
        () => {
          const patch = progress === progressWritten ? {} : { progress };
          progressWritten = progress;
          handle
            .write(patch)
            .catch(() => undefined)
            .finally(beat);
        },
        (leaseSeconds * 1000) / 3,
      );
    };
    beat();
    const adopted = new Set<string>();
    const ctx: JobRunContext = {
      jobId: handle.record.jobId,
      onProgress: (event) => {
        progress = {
          step: event.step.slice(0, 64),
          done: event.done,
          total: event.total,
          ...(event.message === undefined ? {} : { message: event.message.slice(0, 500) }),
        };
      },
      onEngineEvent: async (event) => {
        if (
          (event.kind === 'release_journaled' || event.kind === 'release_finishing') &&
          'releaseId' in event
        ) {
          // The job's release is the first it journals or finishes: an automatic rollback journals the
          // restoring release after it under the same lock, and the job's outcome is still its own release's.
          if (handle.record.releaseId !== undefined) return;
          const commit = 'commit' in event && typeof event.commit === 'string' ? event.commit : undefined;
          await handle
            .write({ releaseId: event.releaseId, ...(commit === undefined ? {} : { commit }) })
            .catch(() => undefined);
        } else if (event.kind === 'lock_taken_over' && 'from' in event) {
          adopted.add(event.from.lockId);
        }
      },
    };
    let outcome: Partial<JobRecord>;
    try {
      outcome = outcomeOf(withHolderNamed(await spec.run(ctx), handle.record.stack), now());
    } catch (error) {
      const err = toFrontendOpsError(error);
      outcome = {
        status: errorStatus(err.code),
        finishedAt: now().toISOString(),
        summary: (formatErrorText(err).split('\n')[0] ?? '').slice(0, 1000),
        error: {
          code: err.code,
          message: err.message.slice(0, 2000),
          ...(err.hint ? { hint: err.hint.slice(0, 1000) } : {}),
        },
      };
    } finally {
      stopped = true;
      cancel?.();
    }
    await handle.write({ ...outcome, progress: undefined }).catch(() => undefined);
    await handle.settledWrites();
    // Rule 4: the dead instance's job whose lock this deploy took over, settled now its release is done.
    for (const jobId of adopted) {
      await this.settleIfDead(handle.record.stack, jobId, handle.record).catch(() => undefined);
    }
    // And any other recent job of this stack whose instance died without holding its lock (before taking
    // it, or after releasing it): the next instance to deploy the stack is the next one to touch it.
    await this.sweep(handle.record.stack, handle.record).catch(() => undefined);
    return { ...handle.record };
  }

  /**
   * Rule 4: a running job whose lease expired (by S3's clock) is settled from its release; returns the
   * record as it is now. Rule 5: an incomplete job whose release moved on is brought up to date.
   */
  private async settleIfDead(stack: string, jobId: string, by?: JobRecord): Promise<JobRecord | undefined> {
    const store = await this.options.backend.store(stack);
    let seen = await store.read(stack, jobId);
    for (let round = 0; seen !== undefined && round < MAX_FINAL_WRITE_ROUNDS; round += 1) {
      const patch = await this.settlement(seen);
      if (patch === undefined) return seen.job;
      const { progress: _progress, ...rest } = seen.job;
      const candidate: JobRecord = {
        ...rest,
        ...patch,
        revision: seen.job.revision + 1,
        writer: this.options.instance,
        updatedAt: this.options.now().toISOString(),
        finishedAt: seen.job.finishedAt ?? this.options.now().toISOString(),
        settledBy: { instance: this.options.instance, ...(by ? { jobId: by.jobId } : {}) },
      };
      const written = await store.replace(candidate, seen.etag);
      if (written.ok) return candidate;
      seen = await store.read(stack, jobId);
    }
    return seen?.job;
  }

  private async settlement(seen: JobObject): Promise<Partial<JobRecord> | undefined> {
    const { job } = seen;
    if (job.status === 'running') {
      if (!isJobLeaseExpired(seen) || this.running.has(job.jobId)) return undefined;
      const release = await this.options.backend.release(job.stack, {
        jobId: job.jobId,
        ...(job.releaseId ? { releaseId: job.releaseId } : {}),
      });
      return settledOutcome(release, job.stack);
    }
    if (job.status === 'incomplete' && job.releaseId !== undefined) {
      const release = await this.options.backend.release(job.stack, {
        jobId: job.jobId,
        releaseId: job.releaseId,
      });
      if (release === undefined || release.status === 'pending') return undefined;
      return { ...settledOutcome(release, job.stack), error: undefined, missing: undefined };
    }
    return undefined;
  }

  private remember(jobId: string, stack: string): void {
    if (this.stackOfJob.has(jobId)) return;
    if (this.stackOfJob.size >= MAX_REMEMBERED_JOBS) {
      const oldest = this.stackOfJob.keys().next().value;
      if (oldest !== undefined) this.stackOfJob.delete(oldest);
    }
    this.stackOfJob.set(jobId, stack);
  }

  /** Settles the dead instances' jobs among the stack's newest (rule 4), after a job of this instance. */
  private async sweep(stack: string, by: JobRecord): Promise<void> {
    const store = await this.options.backend.store(stack);
    const page = await store.list(stack, { limit: SWEPT_JOBS });
    for (const jobId of page.jobIds) {
      if (jobId === by.jobId || this.running.has(jobId)) continue;
      await this.settleIfDead(stack, jobId, by);
    }
  }

  /** Any job of any configured stack (or of `stack`), settled first if its instance died. */
  async get(jobId: string, stack?: string): Promise<JobRecord> {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(jobId)) throw jobNotFound(jobId, 'the artifacts bucket');
    const known = this.stackOfJob.get(jobId);
    if (known !== undefined && (stack === undefined || stack === known)) {
      const job = await this.settleIfDead(known, jobId);
      if (job !== undefined) return job;
    }
    const stacks = stack === undefined ? this.stacks : [stack];
    const found = await Promise.all(
      stacks.map(async (name) => {
        const store = await this.options.backend.store(name);
        return (await store.read(name, jobId)) === undefined ? undefined : name;
      }),
    );
    const owner = found.find((name) => name !== undefined);
    if (owner === undefined)
      throw jobNotFound(jobId, stack === undefined ? 'any configured stack' : `stack ${stack}`);
    this.remember(jobId, owner);
    const job = await this.settleIfDead(owner, jobId);
    if (job === undefined) throw jobNotFound(jobId, `stack ${owner}`);
    return job;
  }

  /**
   * Jobs newest first, of one stack or all (merged by time), `limit` per page; `cursor` continues.
   * Dead instances' jobs met on the way are settled (rule 4).
   */
  async list(options: { stack?: string; limit: number; cursor?: string }): Promise<JobListPage> {
    const stacks = options.stack === undefined ? this.stacks : [options.stack];
    const pages = await Promise.all(
      stacks.map(async (name) => {
        const store = await this.options.backend.store(name);
        const page = await store.list(name, {
          limit: options.limit,
          ...(options.cursor === undefined ? {} : { after: options.cursor }),
        });
        return page.jobIds.map((jobId) => ({ stack: name, jobId, key: jobKeyName(jobId) }));
      }),
    );
    const all = pages.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const merged = all.slice(0, options.limit);
    for (const entry of merged) this.remember(entry.jobId, entry.stack);
    const jobs = (
      await Promise.all(merged.map((entry) => this.settleIfDead(entry.stack, entry.jobId)))
    ).filter((job): job is JobRecord => job !== undefined);
    const last = merged[merged.length - 1];
    // More follow when this page left some of the stacks' jobs out, or a stack may have more than it gave.
    const more =
      (all.length > options.limit || pages.some((page) => page.length >= options.limit)) &&
      last !== undefined;
    return { jobs, ...(more ? { cursor: last.key } : {}) };
  }

  /** Resolves with the job's final record once this instance's run of it has ended. */
  async finished(jobId: string): Promise<JobRecord> {
    const running = this.running.get(jobId);
    if (running === undefined) return this.get(jobId);
    return running.promise;
  }

  /** The jobs this instance runs now. */
  runningHere(): string[] {
    return [...this.running.keys()];
  }

  /** Resolves once every job this instance runs has finished and written its end. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((j) => j.promise));
  }
}
