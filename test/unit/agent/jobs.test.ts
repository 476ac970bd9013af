import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { Answer } from '../../../agent/src/agent/dispatch.js';
import { JobCoordinator, type JobRunContext, type StartJob } from '../../../agent/src/agent/jobs.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { FakeJobBackend } from '../../support/fake-job-backend.js';

const STACKS = ['alpha', 'beta'];
const COMMIT = 'a'.repeat(40);
const newId = monotonicFactory();

interface Timers {
  fire(): void;
  pending(): number;
  setTimer(fn: () => void, ms: number): () => void;
}

function manualTimers(): Timers {
  const queue = new Set<() => void>();
  return {
    setTimer(fn) {
      queue.add(fn);
      return () => queue.delete(fn);
    },
    fire() {
      const due = [...queue];
      queue.clear();
      for (const fn of due) fn();
    },
    pending: () => queue.size,
  };
}

function instance(backend: FakeJobBackend, name: string, timers = manualTimers()) {
  return {
    timers,
    jobs: new JobCoordinator({
      backend,
      instance: name,
      leaseSeconds: 30,
      now: () => new Date('2026-01-01T00:00:00Z'),
      newId,
      setTimer: timers.setTimer,
    }),
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const deployed: Answer = {
  ok: true,
  text: `Deployed ${COMMIT.slice(0, 7)} to alpha\nmore`,
  json: { status: 'deployed', commit: COMMIT, releaseId: 'r-1', tag: 'dashboard-deploy-20260101-1' },
};

function spec(run: (ctx: JobRunContext) => Promise<Answer>, stack = 'alpha'): StartJob {
  return { stack, kind: 'deploy', request: {}, trigger: 'mcp', requestedBy: 'mcp:test', run };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((r) => setImmediate(r));
  expect(check()).toBe(true);
}

describe('JobCoordinator', () => {
  it('records a job running, then its outcome, readable from another instance', async () => {
    const backend = new FakeJobBackend(STACKS);
    const a = instance(backend, 'host-a');
    const b = instance(backend, 'host-b');
    const gate = deferred<Answer>();
    const job = await a.jobs.start(spec(() => gate.promise));
    expect(job.status).toBe('running');
    expect((await b.jobs.get(job.jobId)).status).toBe('running');
    gate.resolve(deployed);
    await a.jobs.settled();
    const done = await b.jobs.get(job.jobId);
    expect(done).toMatchObject({
      status: 'deployed',
      instance: 'host-a',
      commit: COMMIT,
      releaseId: 'r-1',
      tag: 'dashboard-deploy-20260101-1',
      summary: `Deployed ${COMMIT.slice(0, 7)} to alpha`,
    });
    expect(done.finishedAt).not.toBeNull();
  });

  it('refuses at once, creating nothing, while the stack’s lock is held; names the running deployment', async () => {
    const backend = new FakeJobBackend(STACKS);
    const running = newId();
    backend.locks.set('alpha', { lockId: running, holder: 'mcp:x on host-a', expired: false });
    const { jobs } = instance(backend, 'host-b');
    const error = await jobs.start(spec(async () => deployed)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrontendOpsError);
    expect(error).toMatchObject({
      code: 'DEPLOY_IN_PROGRESS',
      message: `alpha is already being deployed by mcp:x on host-a — deployment ${running}`,
      data: { deploymentId: running },
    });
    expect(backend.store_.writes).toBe(0);
    // An expired lock does not block: the deploy takes it over.
    backend.locks.set('alpha', { lockId: running, holder: 'mcp:x on host-a', expired: true });
    await jobs.start(spec(async () => deployed));
    await jobs.settled();
    expect(backend.store_.writes).toBe(2);
  });

  it('a job that meets the lock in its deploy (another instance got there first) ends refused naming that deployment', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs } = instance(backend, 'host-b');
    const winner = newId();
    const lost = new FrontendOpsError(
      'DEPLOY_IN_PROGRESS',
      'stack alpha is being deployed by mcp:x on host-a',
      {
        data: { holder: { lockId: winner, owner: 'mcp:x on host-a (pid 7)' } },
      },
    );
    const job = await jobs.start(
      spec(async () => ({
        ok: false,
        text: 'Refused [DEPLOY_IN_PROGRESS] stack alpha is being deployed by mcp:x on host-a',
        json: { status: 'refused', code: 'DEPLOY_IN_PROGRESS' },
        error: lost,
      })),
    );
    const done = await jobs.finished(job.jobId);
    expect(done).toMatchObject({
      status: 'refused',
      summary: `Refused [DEPLOY_IN_PROGRESS] alpha is already being deployed by mcp:x on host-a (pid 7) — deployment ${winner}`,
      error: { code: 'DEPLOY_IN_PROGRESS' },
    });
    expect(done.result).toMatchObject({ status: 'refused', code: 'DEPLOY_IN_PROGRESS' });
  });

  it('runs stacks in parallel and refuses a second job on a busy stack of this instance', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs } = instance(backend, 'host-a');
    const gates = [deferred<Answer>(), deferred<Answer>()];
    const first = await jobs.start(spec(() => gates[0]!.promise, 'alpha'));
    const second = await jobs.start(spec(() => gates[1]!.promise, 'beta'));
    expect(jobs.runningHere().sort()).toEqual([first.jobId, second.jobId].sort());
    await expect(jobs.start(spec(async () => deployed, 'alpha'))).rejects.toMatchObject({
      code: 'DEPLOY_IN_PROGRESS',
      data: { deploymentId: first.jobId },
    });
    for (const gate of gates) gate.resolve(deployed);
    await jobs.settled();
  });

  it('renews the lease while running, with the latest progress', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs, timers } = instance(backend, 'host-a');
    const gate = deferred<Answer>();
    let ctx: JobRunContext | undefined;
    const job = await jobs.start(
      spec((c) => {
        ctx = c;
        return gate.promise;
      }),
    );
    await until(() => ctx !== undefined);
    ctx?.onProgress({ step: 'copy', done: 3, total: 9, bytes: 0, totalBytes: 0 } as never);
    const before = backend.store_.writes;
    timers.fire();
    await until(() => backend.store_.writes === before + 1);
    expect(backend.store_.job('alpha', job.jobId)).toMatchObject({
      status: 'running',
      revision: 1,
      progress: { step: 'copy', done: 3, total: 9 },
    });
    expect(timers.pending()).toBe(1);
    gate.resolve(deployed);
    await jobs.settled();
    expect(timers.pending()).toBe(0);
  });

  it('records the release a job journaled as soon as the engine reports it', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs } = instance(backend, 'host-a');
    const gate = deferred<Answer>();
    const job = await jobs.start(
      spec(async (ctx) => {
        await ctx.onEngineEvent({ kind: 'release_journaled', releaseId: 'r-9' });
        return gate.promise;
      }),
    );
    await until(() => backend.store_.job('alpha', job.jobId)?.releaseId === 'r-9');
    gate.resolve(deployed);
    await jobs.settled();
  });

  it('keeps its own release when an automatic rollback journals the restoring one after it', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs } = instance(backend, 'host-a');
    const gate = deferred<Answer>();
    const job = await jobs.start(
      spec(async (ctx) => {
        await ctx.onEngineEvent({ kind: 'release_journaled', releaseId: 'r-1', commit: COMMIT });
        await ctx.onEngineEvent({ kind: 'release_journaled', releaseId: 'r-2', commit: 'b'.repeat(40) });
        return gate.promise;
      }),
    );
    await until(() => backend.store_.job('alpha', job.jobId)?.releaseId === 'r-1');
    expect(backend.store_.job('alpha', job.jobId)).toMatchObject({ releaseId: 'r-1', commit: COMMIT });
    gate.resolve({ ...deployed, json: { status: 'rolled_back', commit: COMMIT, releaseId: 'r-1' } });
    await jobs.settled();
    expect(backend.store_.job('alpha', job.jobId)).toMatchObject({ status: 'rolled_back', releaseId: 'r-1' });
  });

  describe('a job whose instance died (lease expired by S3’s clock)', () => {
    async function orphan(backend: FakeJobBackend, journaled?: string) {
      const dead = instance(backend, 'host-dead');
      const job = await dead.jobs.start(
        spec(async (ctx) => {
          if (journaled) await ctx.onEngineEvent({ kind: 'release_journaled', releaseId: journaled });
          return new Promise<Answer>(() => undefined);
        }),
      );
      if (journaled) await until(() => backend.store_.job('alpha', job.jobId)?.releaseId === journaled);
      return job;
    }

    it('stays running while its lease holds, whoever reads it', async () => {
      const backend = new FakeJobBackend(STACKS);
      const job = await orphan(backend);
      backend.store_.advance(30_000);
      const reader = instance(backend, 'host-b');
      expect((await reader.jobs.get(job.jobId)).status).toBe('running');
    });

    it('is settled failed JOB_ABANDONED by the next reader when it journaled no release', async () => {
      const backend = new FakeJobBackend(STACKS);
      const job = await orphan(backend);
      backend.store_.advance(32_000);
      const reader = instance(backend, 'host-b');
      const settled = await reader.jobs.get(job.jobId);
      expect(settled).toMatchObject({
        status: 'failed',
        error: { code: 'JOB_ABANDONED' },
        settledBy: { instance: 'host-b' },
      });
      expect(backend.store_.job('alpha', job.jobId)?.status).toBe('failed');
    });

    it('reports incomplete with the missing steps while its release is pending, then deployed once finished', async () => {
      const backend = new FakeJobBackend(STACKS);
      backend.releases.set('alpha', [
        { releaseId: 'r-5', status: 'pending', commit: COMMIT, missing: ['invalidated', 'tagged'] },
      ]);
      const job = await orphan(backend, 'r-5');
      backend.store_.advance(32_000);
      const reader = instance(backend, 'host-b');
      expect(await reader.jobs.get(job.jobId)).toMatchObject({
        status: 'incomplete',
        releaseId: 'r-5',
        missing: ['invalidated', 'tagged'],
        error: { code: 'RELEASE_INCOMPLETE' },
      });
      backend.releases.set('alpha', [
        { releaseId: 'r-5', status: 'complete', commit: COMMIT, tag: 't-1', missing: [] },
      ]);
      const now = await reader.jobs.get(job.jobId);
      expect(now).toMatchObject({ status: 'deployed', tag: 't-1' });
      expect(now.error).toBeUndefined();
      expect(now.missing).toBeUndefined();
      expect(backend.store_.job('alpha', job.jobId)?.status).toBe('deployed');
    });

    it('finds its release by its lock id when the job never recorded it', async () => {
      const backend = new FakeJobBackend(STACKS);
      const job = await orphan(backend);
      backend.releases.set('alpha', [
        {
          releaseId: 'r-7',
          status: 'rolled_back',
          commit: COMMIT,
          missing: [],
          lockId: job.jobId,
          endedBy: 'superseded',
        },
      ]);
      backend.store_.advance(32_000);
      expect(await instance(backend, 'host-b').jobs.get(job.jobId)).toMatchObject({
        status: 'rolled_back',
        releaseId: 'r-7',
      });
    });

    it('is settled by the deploy that took over its expired lock, after that deploy finished the release', async () => {
      const backend = new FakeJobBackend(STACKS);
      backend.releases.set('alpha', [
        { releaseId: 'r-5', status: 'pending', commit: COMMIT, missing: ['tagged'] },
      ]);
      const job = await orphan(backend, 'r-5');
      backend.store_.advance(32_000);
      const next = instance(backend, 'host-b');
      const mine = await next.jobs.start(
        spec(async (ctx) => {
          await ctx.onEngineEvent({ kind: 'lock_taken_over', from: { lockId: job.jobId } });
          backend.releases.set('alpha', [
            { releaseId: 'r-5', status: 'complete', commit: COMMIT, tag: 't-2', missing: [] },
          ]);
          return { ...deployed, json: { ...deployed.json, status: 'noop' } };
        }),
      );
      await next.jobs.settled();
      expect(backend.store_.job('alpha', job.jobId)).toMatchObject({
        status: 'deployed',
        tag: 't-2',
        settledBy: { instance: 'host-b', jobId: mine.jobId },
      });
    });

    it('is settled by the next job of its stack to finish, when it died holding no lock', async () => {
      const backend = new FakeJobBackend(STACKS);
      const job = await orphan(backend);
      backend.store_.advance(32_000);
      const next = instance(backend, 'host-b');
      const mine = await next.jobs.start(spec(async () => deployed));
      await next.jobs.settled();
      expect(backend.store_.job('alpha', job.jobId)).toMatchObject({
        status: 'failed',
        error: { code: 'JOB_ABANDONED' },
        settledBy: { instance: 'host-b', jobId: mine.jobId },
      });
    });

    it('ends with what its own instance reports if that instance was only stalled', async () => {
      const backend = new FakeJobBackend(STACKS);
      const stalled = instance(backend, 'host-slow');
      const gate = deferred<Answer>();
      const job = await stalled.jobs.start(spec(() => gate.promise));
      backend.store_.advance(32_000);
      expect((await instance(backend, 'host-b').jobs.get(job.jobId)).status).toBe('failed');
      gate.resolve(deployed);
      await stalled.jobs.settled();
      const final = backend.store_.job('alpha', job.jobId);
      expect(final).toMatchObject({ status: 'deployed', writer: 'host-slow' });
      expect(final?.settledBy).toBeUndefined();
    });
  });

  it('lists newest first across stacks in pages, and JOB_NOT_FOUND for ids it never issued', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs } = instance(backend, 'host-a');
    const ids: string[] = [];
    for (const stack of ['alpha', 'beta', 'alpha', 'beta', 'alpha']) {
      ids.push((await jobs.start(spec(async () => deployed, stack))).jobId);
      await jobs.settled();
    }
    const newest = [...ids].reverse();
    const page1 = await jobs.list({ limit: 2 });
    expect(page1.jobs.map((j) => j.jobId)).toEqual(newest.slice(0, 2));
    const page2 = await jobs.list({ limit: 2, ...(page1.cursor ? { cursor: page1.cursor } : {}) });
    expect(page2.jobs.map((j) => j.jobId)).toEqual(newest.slice(2, 4));
    const page3 = await jobs.list({ limit: 2, ...(page2.cursor ? { cursor: page2.cursor } : {}) });
    expect(page3.jobs.map((j) => j.jobId)).toEqual(newest.slice(4));
    expect(page3.cursor).toBeUndefined();
    const alphaOnly = await jobs.list({ stack: 'alpha', limit: 10 });
    expect(alphaOnly.jobs.map((j) => j.stack)).toEqual(['alpha', 'alpha', 'alpha']);

    await expect(jobs.get(newId())).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(jobs.get('../../etc/passwd')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(jobs.get(ids[0] ?? '', 'beta')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect((await jobs.get(ids[0] ?? '', 'alpha')).status).toBe('deployed');
  });

  it('pages on when the stacks together have more jobs than a page, though no stack alone does', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs } = instance(backend, 'host-a');
    const ids: string[] = [];
    for (const stack of ['alpha', 'beta', 'alpha', 'beta']) {
      ids.push((await jobs.start(spec(async () => deployed, stack))).jobId);
      await jobs.settled();
    }
    const page1 = await jobs.list({ limit: 3 });
    expect(page1.jobs.map((j) => j.jobId)).toEqual([...ids].reverse().slice(0, 3));
    expect(page1.cursor).toBeDefined();
    const page2 = await jobs.list({ limit: 3, ...(page1.cursor ? { cursor: page1.cursor } : {}) });
    expect(page2.jobs.map((j) => j.jobId)).toEqual([ids[0]]);
    expect(page2.cursor).toBeUndefined();
  });

  it('looks for an unknown id in every stack once, then polls read only its own stack', async () => {
    const stacks = ['s1', 's2', 's3', 's4', 's5'];
    const backend = new FakeJobBackend(stacks);
    const a = instance(backend, 'host-a');
    const b = instance(backend, 'host-b');
    const gate = deferred<Answer>();
    const job = await a.jobs.start(spec(() => gate.promise, 's4'));
    backend.store_.reads = 0;
    await b.jobs.get(job.jobId);
    expect(backend.store_.reads).toBe(stacks.length + 1);
    backend.store_.reads = 0;
    await b.jobs.get(job.jobId);
    await a.jobs.get(job.jobId);
    expect(backend.store_.reads).toBe(2);
    gate.resolve(deployed);
    await a.jobs.settled();
  });

  it('records a run that throws as failed with its code', async () => {
    const backend = new FakeJobBackend(STACKS);
    const { jobs } = instance(backend, 'host-a');
    const job = await jobs.start(
      spec(async () => {
        throw new FrontendOpsError('S3_ERROR', 'boom', { hint: 'retry' });
      }),
    );
    await jobs.settled();
    expect(backend.store_.job('alpha', job.jobId)).toMatchObject({
      status: 'failed',
      error: { code: 'S3_ERROR', message: 'boom', hint: 'retry' },
    });
  });
});
