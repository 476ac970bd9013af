import { describe, expect, it } from 'vitest';
import { readReleaseView } from '../../../agent/src/agent/job-journal.js';
import { markStep, noSteps } from '../../../agent/src/deploy/journal.js';
import { currentReleaseKey, historyKey, releaseEntryOf } from '../../../agent/src/deploy/releases.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { type ReleaseRecord, ReleaseRecordSchema } from '../../../agent/src/deploy/schemas.js';
import { FakeS3 } from '../../support/fake-s3.js';

const BUCKET = 'sophia-dashboard-build-artifacts-1a2b';
const STACK = 'dashboard-hosting-prod';
const JOB = '01KBCDEFGHJKMNPQRSTVWXYZ01';
const AT = new Date('2026-11-30T05:00:00.000Z');

function runner() {
  return createRequestRunner({ sleep: async () => undefined, random: () => 0 });
}

function record(overrides: Partial<ReleaseRecord>): ReleaseRecord {
  return ReleaseRecordSchema.parse({
    schema: 1,
    releaseId: 'r-1',
    stack: STACK,
    commit: 'a'.repeat(40),
    kind: 'deploy',
    trigger: 'mcp',
    requestedBy: 'mcp:test',
    subject: null,
    status: 'pending',
    steps: noSteps(),
    startedAt: AT.toISOString(),
    finishedAt: null,
    copied: 1,
    unchanged: 0,
    deleted: 0,
    files: [],
    retained: [],
    invalidate: [],
    ...overrides,
  });
}

function store(s3: FakeS3, current: ReleaseRecord, history: ReleaseRecord[] = [current]) {
  s3.put(BUCKET, currentReleaseKey(STACK), JSON.stringify(current));
  for (const entry of history) s3.put(BUCKET, historyKey(entry), JSON.stringify(releaseEntryOf(entry)));
}

describe('readReleaseView (a deploy job’s release, from the release journal)', () => {
  it('finds the pending release journaled under the job’s lock, with its missing steps', async () => {
    const s3 = new FakeS3([BUCKET]);
    const pending = record({ lockId: JOB, steps: markStep(record({}), 'copied', AT).steps });
    store(s3, pending);
    expect(await readReleaseView(s3.client, runner(), BUCKET, STACK, { jobId: JOB })).toEqual({
      releaseId: 'r-1',
      status: 'pending',
      commit: 'a'.repeat(40),
      missing: ['invalidated', 'verified', 'tagged', 'pruned', 'published'],
    });
  });

  it('finds a release by the id the job recorded in the history once another is live', async () => {
    const s3 = new FakeS3([BUCKET]);
    const rolledBack = record({
      releaseId: 'r-1',
      status: 'rolled_back',
      endedBy: { releaseId: 'r-2', reason: 'health-check' },
      finishedAt: AT.toISOString(),
    });
    const restored = record({
      releaseId: 'r-2',
      kind: 'auto-rollback',
      commit: 'b'.repeat(40),
      status: 'complete',
      tag: 'dashboard-deploy-20261130-2',
      finishedAt: AT.toISOString(),
      startedAt: new Date(AT.getTime() + 1000).toISOString(),
    });
    store(s3, restored, [rolledBack, restored]);
    expect(
      await readReleaseView(s3.client, runner(), BUCKET, STACK, { jobId: JOB, releaseId: 'r-1' }),
    ).toMatchObject({
      releaseId: 'r-1',
      status: 'rolled_back',
      missing: [],
      endedBy: 'health-check, by release r-2',
    });
  });

  it('is undefined when no release names the job (nothing went live)', async () => {
    const s3 = new FakeS3([BUCKET]);
    store(s3, record({ lockId: 'someone-else-lock', status: 'complete', finishedAt: AT.toISOString() }));
    expect(await readReleaseView(s3.client, runner(), BUCKET, STACK, { jobId: JOB })).toBeUndefined();
  });
});
