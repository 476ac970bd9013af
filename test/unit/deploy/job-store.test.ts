import { decodeTime, monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { type JobRecord, JobRecordSchema, jobIdOfKey, jobKey } from '../../../agent/src/deploy/job-schema.js';
import { isJobLeaseExpired, s3JobStore } from '../../../agent/src/deploy/job-store.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { FakeS3, s3Error } from '../../support/fake-s3.js';

const BUCKET = 'sophia-dashboard-build-artifacts-1a2b';
const newId = monotonicFactory();

function runner() {
  return createRequestRunner({ sleep: async () => undefined, random: () => 0 });
}

function job(overrides: Partial<JobRecord> = {}): JobRecord {
  const jobId = overrides.jobId ?? newId();
  return {
    schema: 1,
    jobId,
    stack: 'dashboard-hosting-prod',
    kind: 'deploy',
    request: {},
    trigger: 'mcp',
    requestedBy: 'mcp:test',
    instance: 'host-a pid 1',
    status: 'running',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    leaseSeconds: 30,
    revision: 0,
    writer: 'host-a pid 1',
    ...overrides,
  };
}

describe('job keys', () => {
  it('sort newest first under jobs/<stack>/ and give back the job id', () => {
    const ids = Array.from({ length: 5 }, () => newId());
    const keys = ids.map((id) => jobKey('s', id));
    expect([...keys].sort()).toEqual([...keys].reverse());
    expect(keys.map(jobIdOfKey)).toEqual(ids);
    expect(keys[0]).toMatch(/^jobs\/s\/[0-9A-Z]{26}-[0-9A-Z]{26}\.json$/);
    expect(jobIdOfKey('jobs/s/not-a-job.json')).toBeUndefined();
  });

  it('refuse ids that are not ULIDs', () => {
    expect(JobRecordSchema.safeParse(job({ jobId: 'abc' })).success).toBe(false);
    expect(JobRecordSchema.safeParse(job({ jobId: newId().toLowerCase() })).success).toBe(false);
    expect(decodeTime(job().jobId)).toBeGreaterThan(0);
  });
});

describe('s3JobStore', () => {
  it('creates once with If-None-Match: *, and a second create of the same id is refused', async () => {
    const s3 = new FakeS3([BUCKET]);
    const store = s3JobStore(s3.client, runner(), BUCKET);
    const record = job();
    const created = await store.create(record);
    expect(created.created).toBe(true);
    expect(await store.create({ ...record, writer: 'host-b pid 2' })).toEqual({ created: false });
    const read = await store.read(record.stack, record.jobId);
    expect(read?.job).toEqual(record);
  });

  it('counts a create whose first attempt landed before a reset as created (its own write)', async () => {
    const s3 = new FakeS3([BUCKET]);
    const record = job();
    let puts = 0;
    // The first PUT lands and its answer is lost; the retry meets the object with If-None-Match: *.
    s3.onCall = (call) => {
      if (call.operation === 'PutObject') puts += 1;
      if (call.operation === 'PutObject' && puts === 1) {
        s3.put(BUCKET, jobKey(record.stack, record.jobId), JSON.stringify(record));
      }
    };
    s3.fail = (call) =>
      call.operation === 'PutObject' && puts === 1 ? s3Error('InternalError', 500) : undefined;
    const store = s3JobStore(s3.client, runner(), BUCKET);
    const created = await store.create(record);
    expect(created.created).toBe(true);
  });

  it('replaces only with the ETag last seen; a stale ETag is "changed", a missing job "gone"', async () => {
    const s3 = new FakeS3([BUCKET]);
    const store = s3JobStore(s3.client, runner(), BUCKET);
    const record = job();
    const created = await store.create(record);
    if (!created.created) throw new Error('not created');
    const first = await store.replace({ ...record, revision: 1, status: 'deployed' }, created.etag);
    expect(first.ok).toBe(true);
    const stale = await store.replace(
      { ...record, revision: 1, writer: 'other', status: 'failed' },
      created.etag,
    );
    expect(stale).toEqual({ ok: false, reason: 'changed' });
    expect((await store.read(record.stack, record.jobId))?.job.status).toBe('deployed');
    const other = job();
    expect(await store.replace(other, '"nope"')).toEqual({ ok: false, reason: 'gone' });
  });

  it('lists newest first in pages, continuing after the cursor', async () => {
    const s3 = new FakeS3([BUCKET]);
    const store = s3JobStore(s3.client, runner(), BUCKET);
    const records = Array.from({ length: 5 }, () => job());
    for (const record of records) await store.create(record);
    await store.create(job({ stack: 'other-stack' }));
    const newest = records.map((r) => r.jobId).reverse();
    const page1 = await store.list('dashboard-hosting-prod', { limit: 2 });
    expect(page1.jobIds).toEqual(newest.slice(0, 2));
    const page2 = await store.list('dashboard-hosting-prod', {
      limit: 2,
      ...(page1.next ? { after: page1.next } : {}),
    });
    expect(page2.jobIds).toEqual(newest.slice(2, 4));
    const page3 = await store.list('dashboard-hosting-prod', {
      limit: 2,
      ...(page2.next ? { after: page2.next } : {}),
    });
    expect(page3).toEqual({ jobIds: newest.slice(4) });
  });

  it('refuses a record that fails its schema with MANIFEST_INVALID naming the key', async () => {
    const s3 = new FakeS3([BUCKET]);
    const record = job();
    s3.put(BUCKET, jobKey(record.stack, record.jobId), JSON.stringify({ ...record, status: 'exploded' }));
    const store = s3JobStore(s3.client, runner(), BUCKET);
    await expect(store.read(record.stack, record.jobId)).rejects.toMatchObject({
      code: 'MANIFEST_INVALID',
      message: expect.stringContaining(jobKey(record.stack, record.jobId)),
    });
    expect(await store.read(record.stack, newId())).toBeUndefined();
  });
});

describe('isJobLeaseExpired', () => {
  const at = (s: string) => new Date(`2026-01-01T00:00:${s}Z`);
  it('is judged by S3’s clock: Last-Modified plus the lease (and a second of rounding) against Date', () => {
    const record = job({ leaseSeconds: 10 });
    expect(isJobLeaseExpired({ job: record, lastModified: at('00'), serverDate: at('11') })).toBe(false);
    expect(isJobLeaseExpired({ job: record, lastModified: at('00'), serverDate: at('12') })).toBe(true);
    expect(isJobLeaseExpired({ job: record, lastModified: at('00'), serverDate: undefined })).toBe(false);
  });
});
