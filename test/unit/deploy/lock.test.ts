import { describe, expect, it } from 'vitest';
import { acquireDeployLock, type LockRequest, lockKey } from '../../../agent/src/deploy/lock.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { DeployLockSchema } from '../../../agent/src/deploy/schemas.js';
import { FrontendOpsError, isFrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import { FakeS3, s3Error } from '../../support/fake-s3.js';

const BUCKET = 'artifacts-1';
const KEY = lockKey('prod');

function setup(start = Date.parse('2026-11-23T10:00:00Z')) {
  const s3 = new FakeS3([BUCKET]);
  let t = start;
  const clock = {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
  };
  const runner = createRequestRunner({ sleep: async () => {}, random: () => 0.5 });
  return { s3, clock, runner, deps: { s3: s3.client, runner, now: clock.now } };
}

function request(lockId: string, overrides: Partial<LockRequest> = {}): LockRequest {
  return {
    artifactsBucket: BUCKET,
    stack: 'prod',
    owner: `${lockId}@host`,
    trigger: 'cli',
    commit: commitSha(1),
    requestedBy: lockId,
    ttlSeconds: 60,
    lockId: `${lockId}-0000-lock`,
    ...overrides,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<FrontendOpsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FrontendOpsError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('deploy lock', () => {
  it('is created with If-None-Match and names owner, trigger, commit and expiry', async () => {
    const { s3, deps } = setup();
    const handle = await acquireDeployLock(deps, request('alice'));
    const stored = DeployLockSchema.parse(JSON.parse(s3.text(BUCKET, KEY)!));
    expect(stored).toMatchObject({
      owner: 'alice@host',
      trigger: 'cli',
      commit: commitSha(1),
      stack: 'prod',
    });
    expect(stored.expiresAt).toBe('2026-11-23T10:01:00.000Z');
    expect(handle.lock.lockId).toBe('alice-0000-lock');
  });

  it('refuses a second deployer with DEPLOY_IN_PROGRESS naming the holder, and leaves the lock alone', async () => {
    const { s3, deps } = setup();
    await acquireDeployLock(deps, request('alice'));
    const before = s3.text(BUCKET, KEY);
    const error = await rejectionOf(acquireDeployLock(deps, request('bob')));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.message).toContain('alice@host');
    expect(error.message).toContain('trigger cli');
    expect(s3.text(BUCKET, KEY)).toBe(before);
  });

  it('lets a deployer take over an expired lock, conditionally on its ETag', async () => {
    const { s3, deps, clock } = setup();
    await acquireDeployLock(deps, request('alice'));
    clock.advance(61_000);
    const bob = await acquireDeployLock(deps, request('bob'));
    expect(bob.lock.owner).toBe('bob@host');
    expect(JSON.parse(s3.text(BUCKET, KEY)!).owner).toBe('bob@host');
  });

  it('loses a takeover race to whoever rewrote the expired lock first', async () => {
    const { s3, deps, clock } = setup();
    await acquireDeployLock(deps, request('alice'));
    clock.advance(61_000);
    // carol takes it over between bob's read and bob's conditional write
    s3.onCall = (call) => {
      if (call.operation === 'PutObject' && s3.count('PutObject') === 3) {
        s3.onCall = undefined;
        s3.put(
          BUCKET,
          KEY,
          JSON.stringify({
            ...JSON.parse(s3.text(BUCKET, KEY)!),
            owner: 'carol@host',
            lockId: 'carol-0000-lock',
            expiresAt: '2026-11-23T11:00:00.000Z',
          }),
        );
      }
    };
    const error = await rejectionOf(acquireDeployLock(deps, request('bob')));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.message).toContain('carol@host');
  });

  it('recognises its own lock when a retried create meets the first attempt', async () => {
    const { s3, deps } = setup();
    let first = true;
    s3.fail = (call) => {
      if (call.operation === 'PutObject' && first) {
        first = false;
        // the write lands but the answer is lost: the retry sees 412 on its own lock
        s3.put(
          BUCKET,
          KEY,
          JSON.stringify({
            schema: 1,
            lockId: 'alice-0000-lock',
            stack: 'prod',
            owner: 'alice@host',
            trigger: 'cli',
            commit: commitSha(1),
            requestedBy: 'alice',
            acquiredAt: '2026-11-23T10:00:00.000Z',
            renewedAt: '2026-11-23T10:00:00.000Z',
            expiresAt: '2026-11-23T10:01:00.000Z',
          }),
        );
        return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return undefined;
    };
    const handle = await acquireDeployLock(deps, request('alice'));
    expect(handle.lock.owner).toBe('alice@host');
    expect(await handle.release()).toBe(true);
    expect(s3.text(BUCKET, KEY)).toBeUndefined();
  });

  it('renews after a third of the TTL and not before', async () => {
    const { s3, deps, clock } = setup();
    const handle = await acquireDeployLock(deps, request('alice'));
    clock.advance(10_000);
    await handle.keepAlive();
    expect(s3.count('PutObject')).toBe(1);
    clock.advance(15_000);
    await handle.keepAlive();
    expect(s3.count('PutObject')).toBe(2);
    expect(JSON.parse(s3.text(BUCKET, KEY)!).expiresAt).toBe('2026-11-23T10:01:25.000Z');
  });

  it('renews concurrent keepAlive calls once', async () => {
    const { s3, deps, clock } = setup();
    const handle = await acquireDeployLock(deps, request('alice'));
    clock.advance(30_000);
    await Promise.all([handle.keepAlive(), handle.keepAlive(), handle.keepAlive()]);
    expect(s3.count('PutObject')).toBe(2);
  });

  it('reports LOCK_LOST when another deploy took the lock over', async () => {
    const { deps, clock } = setup();
    const alice = await acquireDeployLock(deps, request('alice'));
    clock.advance(61_000);
    await acquireDeployLock(deps, request('bob'));
    const error = await rejectionOf(alice.keepAlive());
    expect(error.code).toBe('LOCK_LOST');
    expect(error.message).toContain('bob@host');
  });

  it('releases only its own lock (conditional delete)', async () => {
    const { s3, deps, clock } = setup();
    const alice = await acquireDeployLock(deps, request('alice'));
    clock.advance(61_000);
    await acquireDeployLock(deps, request('bob'));
    expect(await alice.release()).toBe(false);
    expect(JSON.parse(s3.text(BUCKET, KEY)!).owner).toBe('bob@host');
  });

  it('treats an unreadable lock document as MANIFEST_INVALID rather than taking it over', async () => {
    const { s3, deps } = setup();
    s3.put(BUCKET, KEY, 'not json');
    const error = await rejectionOf(acquireDeployLock(deps, request('bob')));
    expect(isFrontendOpsError(error, 'MANIFEST_INVALID')).toBe(true);
  });

  it('surfaces access errors as S3_ERROR', async () => {
    const { s3, deps } = setup();
    s3.fail = () => s3Error('AccessDenied', 403);
    const error = await rejectionOf(acquireDeployLock(deps, request('alice')));
    expect(error.code).toBe('S3_ERROR');
    expect(error.message).toContain('AccessDenied');
  });
});
