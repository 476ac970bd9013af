import type { JobBackend, LockView, ReleaseView } from '../../agent/src/agent/jobs.js';
import { type JobRecord, jobKeyName } from '../../agent/src/deploy/job-schema.js';
import type { JobObject, JobStore } from '../../agent/src/deploy/job-store.js';

/**
 * An in-memory job store with S3's rules (conditional create and replace on ETags) and S3's own clock
 * (`serverNow`, which stamps Last-Modified on writes and Date on reads), plus the locks and releases a
 * `JobBackend` reports. Several coordinators sharing one `FakeJobBackend` are several agent instances
 * sharing one bucket.
 */
export class FakeJobStore implements JobStore {
  readonly where = 's3://fake-artifacts/jobs/';
  readonly objects = new Map<string, { job: JobRecord; etag: string; lastModified: Date }>();
  private etags = 0;
  /** S3's clock. */
  serverNow = new Date('2026-01-01T00:00:00Z');
  writes = 0;
  reads = 0;

  private key(stack: string, jobId: string): string {
    return `${stack}/${jobKeyName(jobId)}`;
  }

  private stamp(job: JobRecord): string {
    this.etags += 1;
    this.writes += 1;
    const etag = `"e${this.etags}"`;
    this.objects.set(this.key(job.stack, job.jobId), {
      job: structuredClone(job),
      etag,
      lastModified: new Date(this.serverNow),
    });
    return etag;
  }

  async create(job: JobRecord) {
    if (this.objects.has(this.key(job.stack, job.jobId))) return { created: false as const };
    return { created: true as const, etag: this.stamp(job) };
  }

  async read(stack: string, jobId: string): Promise<JobObject | undefined> {
    this.reads += 1;
    const object = this.objects.get(this.key(stack, jobId));
    if (object === undefined) return undefined;
    return {
      job: structuredClone(object.job),
      etag: object.etag,
      lastModified: object.lastModified,
      serverDate: new Date(this.serverNow),
    };
  }

  async replace(job: JobRecord, etag: string) {
    const object = this.objects.get(this.key(job.stack, job.jobId));
    if (object === undefined) return { ok: false as const, reason: 'gone' as const };
    if (object.etag !== etag) return { ok: false as const, reason: 'changed' as const };
    return { ok: true as const, etag: this.stamp(job) };
  }

  async list(stack: string, options: { after?: string; limit: number }) {
    const names = [...this.objects.keys()]
      .filter((k) => k.startsWith(`${stack}/`))
      .map((k) => k.slice(stack.length + 1))
      .filter((name) => options.after === undefined || name > options.after)
      .sort();
    const page = names.slice(0, options.limit);
    const jobIds = page.map((name) => name.slice(27));
    const last = page[page.length - 1];
    return { jobIds, ...(names.length > options.limit && last !== undefined ? { next: last } : {}) };
  }

  /** Advances S3's clock. */
  advance(ms: number): void {
    this.serverNow = new Date(this.serverNow.getTime() + ms);
  }

  job(stack: string, jobId: string): JobRecord | undefined {
    return this.objects.get(this.key(stack, jobId))?.job;
  }
}

export class FakeJobBackend implements JobBackend {
  readonly store_ = new FakeJobStore();
  readonly locks = new Map<string, LockView>();
  /** Releases by stack, newest first; `lockId` ties a release to the job that journaled it. */
  readonly releases = new Map<string, Array<ReleaseView & { lockId?: string }>>();

  constructor(readonly stacks: readonly string[]) {}

  async store(): Promise<JobStore> {
    return this.store_;
  }

  async lock(stack: string): Promise<LockView | undefined> {
    return this.locks.get(stack);
  }

  async release(stack: string, ref: { releaseId?: string; jobId: string }): Promise<ReleaseView | undefined> {
    const list = this.releases.get(stack) ?? [];
    const found =
      ref.releaseId === undefined
        ? list.find((r) => r.lockId === ref.jobId)
        : list.find((r) => r.releaseId === ref.releaseId);
    if (found === undefined) return undefined;
    const { lockId: _lockId, ...view } = found;
    return view;
  }
}
