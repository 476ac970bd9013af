import { afterEach, describe, expect, it } from 'vitest';
import { deployThroughMcp, finishThroughMcp, statusThroughMcp } from '../../../agent/src/agent/flow.js';
import { unlockThroughMcp } from '../../../agent/src/agent/unlock.js';
import { currentReleaseKey } from '../../../agent/src/deploy/releases.js';
import { ReleaseRecordSchema } from '../../../agent/src/deploy/schemas.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import {
  ARTIFACTS,
  type FlowHarness,
  type FlowHarnessOptions,
  flowHarness,
  HOSTING,
  publishFake,
} from './fakes.js';

/**
 * The agent's side of the release journal and the lock: prerequisites checked before anything
 * changes, `status` showing the lock and an unfinished release, `status --finish`, and `unlock`.
 */
const A = commitSha(1);
const B = commitSha(2);
const open: FlowHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

function harness(options: FlowHarnessOptions = {}): FlowHarness {
  const h = flowHarness(options);
  open.push(h);
  return h;
}

const latest = { kind: 'deploy' as const, target: { kind: 'latest' as const }, dryRun: false };

async function failure(promise: Promise<unknown>): Promise<FrontendOpsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FrontendOpsError);
    return error as FrontendOpsError;
  }
  throw new Error('expected a failure');
}

const writes = (h: FlowHarness) =>
  h.s3.calls.filter((c) =>
    ['PutObject', 'CopyObject', 'DeleteObject', 'DeleteObjects'].includes(c.operation),
  );

describe('prerequisites are checked before anything changes', () => {
  it('regression: a full sha unknown to git is refused (COMMIT_NOT_FOUND) before the first write', async () => {
    const h = harness({ commits: [{ sha: A, message: 'a' }] });
    publishFake(h.s3, B, 'b'); // a build exists, but git does not know the commit
    const error = await failure(deployThroughMcp(h.ctx, { ...latest, target: { kind: 'commit', sha: B } }));
    expect(error.code).toBe('COMMIT_NOT_FOUND');
    expect(writes(h)).toEqual([]);
    expect(h.github.tags).toEqual([]);
  });

  it('an unreachable CDN API is a refusal before the first write, not a failure after going live', async () => {
    const h = harness({ commits: [{ sha: A, message: 'a' }], officialPulumi: true });
    publishFake(h.s3, A, 'a');
    h.ctx.directInvalidator = async () => ({
      invalidate: async () => {
        throw new Error('not reached');
      },
      probe: async () => {
        throw new FrontendOpsError(
          'ENDPOINT_UNREACHABLE',
          'cloudfront.amazonaws.com did not answer within 10 s',
        );
      },
    });
    const error = await failure(deployThroughMcp(h.ctx, latest));
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toContain('nothing was deployed');
    expect(writes(h)).toEqual([]);
  });
});

describe('status, status --finish', () => {
  it('shows an unfinished release with its missing steps; --finish completes it; then nothing to finish', async () => {
    const h = harness({ commits: [{ sha: A, message: 'a' }] });
    publishFake(h.s3, A, 'a');
    // the release goes live, then tagging fails (github's create_tag is down)
    h.github.stolen.add('dashboard-deploy-20261123-1');
    for (let n = 2; n <= 5; n += 1) h.github.stolen.add(`dashboard-deploy-20261123-${n}`);
    const first = await deployThroughMcp(h.ctx, latest);
    expect(first.report).toMatchObject({ status: 'incomplete', missing: ['tagged', 'pruned', 'published'] });
    expect(h.s3.text(HOSTING, 'version.json')).toContain(A);

    const status = await statusThroughMcp(h.ctx);
    expect(status.unfinished).toMatchObject({
      commit: A,
      missing: ['tagged', 'pruned', 'published'],
      failure: { step: 'tagged', code: 'TAG_CONFLICT' },
      finishCommand: 'frontendops status --finish --stack dashboard-hosting-prod',
    });
    expect(status.upToDate).toBe(false);
    expect(status.lock).toBeNull();

    const finished = await finishThroughMcp(h.ctx);
    expect(finished.report).toMatchObject({ status: 'deployed', commit: A, previous: { action: 'finish' } });
    expect(finished.report.tag).toMatch(/^dashboard-deploy-20261123-\d+$/);
    expect((await statusThroughMcp(h.ctx)).unfinished).toBeNull();
    const again = await finishThroughMcp(h.ctx);
    expect(again.report).toMatchObject({ status: 'noop', nothingToFinish: true });
    const record = ReleaseRecordSchema.parse(
      JSON.parse(h.s3.text(ARTIFACTS, currentReleaseKey('dashboard-hosting-prod'))!),
    );
    expect(record.status).toBe('complete');
    expect(h.audit.entries.some((e) => e.kind === 'tool_call' && e.tool === 'release_finishing')).toBe(true);
  });

  it('shows who holds the lock', async () => {
    const h = harness({ commits: [{ sha: A, message: 'a' }] });
    h.s3.put(
      ARTIFACTS,
      'locks/dashboard-hosting-prod.json',
      JSON.stringify({
        schema: 1,
        lockId: 'bob-lock-00001',
        stack: 'dashboard-hosting-prod',
        owner: 'bob on laptop (pid 7)',
        trigger: 'chat',
        commit: B,
        requestedBy: 'bob',
        acquiredAt: '2026-11-23T09:59:00.000Z',
        renewedAt: '2026-11-23T09:59:00.000Z',
        expiresAt: '2026-11-23T10:14:00.000Z',
        ttlSeconds: 900,
      }),
    );
    const status = await statusThroughMcp(h.ctx);
    expect(status.lock).toMatchObject({
      owner: 'bob on laptop (pid 7)',
      trigger: 'chat',
      commit: B,
      expired: false,
    });
  });
});

describe('a failed health check, through the agent', () => {
  it('rolls back, reports rolled_back, and audits both steps', async () => {
    const h = harness({
      commits: [
        { sha: B, message: 'b: broken' },
        { sha: A, message: 'a' },
      ],
    });
    publishFake(h.s3, A, 'a');
    publishFake(h.s3, B, 'b');
    await deployThroughMcp(h.ctx, { ...latest, target: { kind: 'commit', sha: A } });
    h.ctx.checkHealth = async ({ commit }) =>
      commit === B
        ? {
            ok: false,
            checked: 2,
            durationMs: 3,
            failures: [{ path: 'assets/app-b00aa.js', reason: 'not served', status: 404 }],
          }
        : { ok: true, checked: 2, durationMs: 3, failures: [] };
    const outcome = await deployThroughMcp(h.ctx, latest);
    expect(outcome.report).toMatchObject({
      status: 'rolled_back',
      commit: B,
      restored: { commit: A, status: 'complete' },
    });
    expect(h.s3.text(HOSTING, 'version.json')).toContain(A);
    const engineSteps = h.audit.entries.flatMap((e) =>
      e.kind === 'tool_call' && e.server === 'engine' ? [`${e.tool}:${e.outcome}`] : [],
    );
    expect(engineSteps).toEqual(expect.arrayContaining(['health_check_failed:error', 'auto_rollback:ok']));
    expect(h.audit.entries.at(-1)).toMatchObject({
      kind: 'result',
      status: 'rolled_back',
      code: 'HEALTH_CHECK_FAILED',
    });
    // the restore is tagged like any release, as kind auto-rollback
    expect(h.github.tags.at(-1)?.message).toContain('(auto-rollback)');
  });
});

describe('unlock', () => {
  function locked(h: FlowHarness) {
    h.s3.put(
      ARTIFACTS,
      'locks/dashboard-hosting-prod.json',
      JSON.stringify({
        schema: 1,
        lockId: 'bob-lock-00001',
        stack: 'dashboard-hosting-prod',
        owner: 'bob on laptop (pid 7)',
        trigger: 'chat',
        commit: B,
        requestedBy: 'bob',
        acquiredAt: '2026-11-23T09:59:00.000Z',
        renewedAt: '2026-11-23T09:59:00.000Z',
        expiresAt: '2026-11-23T10:14:00.000Z',
        ttlSeconds: 900,
      }),
    );
  }

  it('refuses a fresh lock without --force, and releases it when forcing is confirmed; both audited', async () => {
    const h = harness();
    locked(h);
    const refused = await failure(unlockThroughMcp(h.ctx, { force: false }));
    expect(refused.code).toBe('REFUSED');
    expect(refused.message).toContain('bob on laptop');
    expect(h.s3.bucket(ARTIFACTS).has('locks/dashboard-hosting-prod.json')).toBe(true);

    const declined = await failure(unlockThroughMcp(h.ctx, { force: true, confirmForce: async () => false }));
    expect(declined.code).toBe('CANCELLED');
    expect(h.s3.bucket(ARTIFACTS).has('locks/dashboard-hosting-prod.json')).toBe(true);

    const shown: string[] = [];
    const result = await unlockThroughMcp(h.ctx, {
      force: true,
      confirmForce: async (holder) => {
        shown.push(holder.owner);
        return true;
      },
    });
    expect(result).toMatchObject({
      status: 'unlocked',
      forced: true,
      holder: { owner: 'bob on laptop (pid 7)' },
    });
    expect(shown).toEqual(['bob on laptop (pid 7)']);
    expect(h.s3.bucket(ARTIFACTS).has('locks/dashboard-hosting-prod.json')).toBe(false);
    const audited = h.audit.entries.filter((e) => e.kind === 'tool_call' && e.tool === 'release_lock');
    expect(audited).toEqual([
      expect.objectContaining({
        outcome: 'ok',
        args: expect.objectContaining({ holder: 'bob on laptop (pid 7)', forced: true }),
      }),
    ]);
    expect(
      h.audit.entries.filter((e) => e.kind === 'result').map((e) => (e.kind === 'result' ? e.status : '')),
    ).toEqual(['refused', 'cancelled', 'unlocked']);
  });

  it('never releases a lock that changed after it was shown (renewed meanwhile)', async () => {
    const h = harness();
    locked(h);
    const error = await failure(
      unlockThroughMcp(h.ctx, {
        force: true,
        confirmForce: async () => {
          // the holder renews while the person reads the question
          const lock = JSON.parse(h.s3.text(ARTIFACTS, 'locks/dashboard-hosting-prod.json')!);
          h.s3.put(
            ARTIFACTS,
            'locks/dashboard-hosting-prod.json',
            JSON.stringify({ ...lock, renewedAt: '2026-11-23T10:05:00.000Z' }),
          );
          return true;
        },
      }),
    );
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(h.s3.bucket(ARTIFACTS).has('locks/dashboard-hosting-prod.json')).toBe(true);
  });

  it('says there is nothing to do when the stack is not locked', async () => {
    const h = harness();
    expect(await unlockThroughMcp(h.ctx, { force: false })).toMatchObject({ status: 'noop', holder: null });
  });
});
