import { describe, expect, it } from 'vitest';
import {
  acquireDeployLock,
  FENCE_WINDOW_MS,
  isLockExpired,
  type LockRequest,
  lockKey,
  readLockStatus,
  s3LockStore,
} from '../../../agent/src/deploy/lock.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { DeployLockSchema } from '../../../agent/src/deploy/schemas.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import { FakeLockStore, manualTimers } from '../../support/fake-lock-store.js';
import { FakeS3, s3Error } from '../../support/fake-s3.js';
import { rejectionOf } from '../../support/rejection.js';

const MINUTE = 60_000;

/**
 * The lock protocol against a store with S3's semantics and S3's own clock. Each deployer has its own
 * wall clock (skewed in some tests); none of them may decide expiry.
 */
function setup() {
  const store = new FakeLockStore();
  const timers = manualTimers();
  const deployer = (skewMs = 0) => ({
    store,
    now: () => new Date(store.serverNow + skewMs),
    monotonic: timers.monotonic,
    setTimer: timers.setTimer,
  });
  return { store, timers, deployer };
}

function request(name: string, overrides: Partial<LockRequest> = {}): LockRequest {
  return {
    stack: 'prod',
    owner: `${name}@host`,
    trigger: 'cli',
    commit: commitSha(1),
    requestedBy: name,
    ttlSeconds: 60,
    lockId: `${name}-0000-lock`,
    ...overrides,
  };
}

describe('deploy lock: acquire', () => {
  it('is created if absent and names owner, trigger, commit and TTL', async () => {
    const { store, deployer } = setup();
    const handle = await acquireDeployLock(deployer(), request('alice'));
    expect(store.ops).toEqual(['create']);
    expect(store.object?.lock).toMatchObject({
      owner: 'alice@host',
      trigger: 'cli',
      commit: commitSha(1),
      ttlSeconds: 60,
    });
    expect(handle.lock.lockId).toBe('alice-0000-lock');
    expect(handle.tookOver).toBeUndefined();
  });

  it('refuses a fresh lock with DEPLOY_IN_PROGRESS, naming the holder, and leaves it alone', async () => {
    const { store, deployer } = setup();
    await acquireDeployLock(deployer(), request('alice'));
    const before = store.object;
    store.advance(10_000);
    const error = await rejectionOf(acquireDeployLock(deployer(), request('bob')));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.message).toContain('alice@host');
    expect(error.message).toMatch(/last renewed 10 s ago by S3's clock, expires in 50 s/);
    expect(store.object).toBe(before);
  });

  it('regression: a deployer whose clock is 20 minutes fast never takes over a freshly renewed lock', async () => {
    const { store, deployer } = setup();
    await acquireDeployLock(deployer(), request('alice'));
    store.advance(5_000);
    const error = await rejectionOf(acquireDeployLock(deployer(20 * MINUTE), request('bob')));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(store.object?.lock.owner).toBe('alice@host');
  });

  it('takes over a lock expired by S3’s clock, even with its own clock 20 minutes slow, on the ETag it read', async () => {
    const { store, deployer } = setup();
    await acquireDeployLock(deployer(), request('alice'));
    const aliceEtag = store.object?.etag;
    store.advance(62_000);
    const replaced: string[] = [];
    const original = store.replace.bind(store);
    store.replace = async (lock, etag) => {
      replaced.push(etag);
      return original(lock, etag);
    };
    const bob = await acquireDeployLock(deployer(-20 * MINUTE), request('bob'));
    expect(bob.tookOver?.owner).toBe('alice@host');
    expect(store.object?.lock.owner).toBe('bob@host');
    expect(replaced).toEqual([aliceEtag]);
  });

  it('does not take over within the TTL plus the one-second granularity of HTTP dates', async () => {
    const { store, deployer } = setup();
    await acquireDeployLock(deployer(), request('alice'));
    store.advance(60_500);
    expect((await rejectionOf(acquireDeployLock(deployer(), request('bob')))).code).toBe(
      'DEPLOY_IN_PROGRESS',
    );
  });

  it('never takes over when S3 does not report its time, and says how to release the lock', async () => {
    const { store, deployer } = setup();
    await acquireDeployLock(deployer(), request('alice'));
    store.advance(10 * MINUTE);
    store.reportsDate = false;
    const error = await rejectionOf(acquireDeployLock(deployer(60 * MINUTE), request('bob')));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.hint).toContain('frontendops unlock --stack prod');
  });

  it('loses a takeover race to whoever rewrote the expired lock first', async () => {
    const { store, deployer } = setup();
    await acquireDeployLock(deployer(), request('alice'));
    store.advance(62_000);
    // carol takes it over between bob's read and bob's conditional write
    store.before = (op) => {
      if (op !== 'replace') return;
      store.before = undefined;
      store.plant({ ...store.object!.lock, owner: 'carol@host', lockId: 'carol-0000-lock' });
    };
    const error = await rejectionOf(acquireDeployLock(deployer(), request('bob')));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.message).toContain('carol@host');
    expect(store.object?.lock.owner).toBe('carol@host');
  });

  it('recognises its own lock when a retried create meets the first attempt', async () => {
    const { store, deployer } = setup();
    store.plant({
      ...DeployLockSchema.parse({
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
    });
    const handle = await acquireDeployLock(deployer(), request('alice'));
    expect(handle.lock.owner).toBe('alice@host');
    expect(await handle.release()).toBe(true);
    expect(store.object).toBeUndefined();
  });

  it('reads a legacy lock (no ttlSeconds) with the TTL its holder wrote, from one clock', () => {
    const lock = DeployLockSchema.parse({
      schema: 1,
      lockId: 'old-0000-lock',
      stack: 'prod',
      owner: 'old',
      trigger: 'cli',
      commit: commitSha(1),
      requestedBy: 'old',
      acquiredAt: '2030-01-01T00:00:00.000Z',
      renewedAt: '2030-01-01T00:00:00.000Z',
      expiresAt: '2030-01-01T00:15:00.000Z',
    });
    const lastModified = new Date('2026-11-23T10:00:00Z');
    expect(isLockExpired({ lock, lastModified, serverDate: new Date('2026-11-23T10:14:00Z') })).toBe(false);
    expect(isLockExpired({ lock, lastModified, serverDate: new Date('2026-11-23T10:16:02Z') })).toBe(true);
  });
});

describe('deploy lock: holding it', () => {
  it('renews on a timer every third of the TTL, with no help from the deploy', async () => {
    const { store, timers, deployer } = setup();
    const handle = await acquireDeployLock(deployer(), request('alice'));
    await timers.advance(19_000);
    expect(store.ops.filter((o) => o === 'replace')).toHaveLength(0);
    await timers.advance(2_000);
    expect(store.ops.filter((o) => o === 'replace')).toHaveLength(1);
    await timers.advance(20_000);
    expect(store.ops.filter((o) => o === 'replace')).toHaveLength(2);
    await handle.release();
    expect(timers.scheduled()).toBe(0);
  });

  it('checkLease makes no request while the lease is fresh, and renews once it ran low', async () => {
    const { store, timers, deployer } = setup();
    const handle = await acquireDeployLock(deployer(), request('alice', { ttlSeconds: 600 }));
    await timers.advance(1_000);
    await handle.checkLease();
    expect(store.ops).toEqual(['create']);
    // the renewal timer stalled (a blocked event loop): the lease itself runs low
    const other = new FakeLockStore();
    const stalled = await acquireDeployLock(
      { ...deployer(), store: other, setTimer: () => () => undefined },
      request('carl', { ttlSeconds: 600 }),
    );
    await timers.advance(300_000);
    await stalled.checkLease();
    expect(other.ops).toEqual(['create']);
    await timers.advance(200_000);
    await stalled.checkLease();
    expect(other.ops).toEqual(['create', 'replace']);
    expect(stalled.lost).toBeUndefined();
  });

  it('fences with a conditional write, reusing one sent within the fence window', async () => {
    const { store, timers, deployer } = setup();
    const handle = await acquireDeployLock(deployer(), request('alice'));
    await handle.fence('index.html');
    expect(store.ops).toEqual(['create']);
    await timers.advance(FENCE_WINDOW_MS + 1);
    await handle.fence('index.html');
    expect(store.ops).toEqual(['create', 'replace']);
  });

  it('shares one renewal between concurrent callers', async () => {
    const { store, timers, deployer } = setup();
    const handle = await acquireDeployLock(deployer(), request('alice', { ttlSeconds: 6 }));
    await timers.advance(4_100);
    const replacesBefore = store.ops.filter((o) => o === 'replace').length;
    await Promise.all([handle.checkLease(), handle.fence('tag'), handle.checkLease()]);
    expect(store.ops.filter((o) => o === 'replace').length - replacesBefore).toBeLessThanOrEqual(1);
  });

  it('reports LOCK_LOST at the next fence once another deployer took the lock, and never writes it again', async () => {
    const { store, timers, deployer } = setup();
    const alice = await acquireDeployLock(
      { ...deployer(), setTimer: () => () => undefined },
      request('alice'),
    );
    store.advance(62_000);
    await timers.advance(62_000);
    await acquireDeployLock(deployer(), request('bob'));
    const error = await rejectionOf(alice.fence('index.html'));
    expect(error.code).toBe('LOCK_LOST');
    expect(error.message).toContain('bob@host');
    expect((await rejectionOf(alice.checkLease())).code).toBe('LOCK_LOST');
    expect(await alice.release()).toBe(false);
    expect(store.object?.lock.owner).toBe('bob@host');
  });

  it('a renewal whose answer was lost but which landed is still ours', async () => {
    const { store, timers, deployer } = setup();
    const handle = await acquireDeployLock(deployer(), request('alice'));
    const original = store.replace.bind(store);
    store.replace = async (lock, etag) => {
      store.replace = original;
      await original(lock, etag); // lands…
      return { ok: false, reason: 'changed' }; // …but the retry sees its own write
    };
    await timers.advance(FENCE_WINDOW_MS + 1);
    await handle.fence('tag');
    expect(handle.lost).toBeUndefined();
    expect(await handle.release()).toBe(true);
  });

  it('releases only its own lock, with a conditional delete', async () => {
    const { store, deployer } = setup();
    const alice = await acquireDeployLock(deployer(), request('alice'));
    store.plant({ ...store.object!.lock, owner: 'mallory@host', lockId: 'mallory-0000-lock' });
    expect(await alice.release()).toBe(false);
    expect(store.object?.lock.owner).toBe('mallory@host');
  });
});

describe('deploy lock on S3 (s3LockStore)', () => {
  const BUCKET = 'artifacts-1';
  const KEY = lockKey('prod');
  const runner = createRequestRunner({ sleep: async () => {}, random: () => 0.5 });

  it('maps If-None-Match, If-Match and conditional deletes onto create, replace and remove', async () => {
    const s3 = new FakeS3([BUCKET]);
    const store = s3LockStore(s3.client, runner, BUCKET, 'prod');
    const lock = DeployLockSchema.parse({
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
      ttlSeconds: 60,
    });
    const created = await store.create(lock);
    expect(created.created).toBe(true);
    expect(await store.create(lock)).toEqual({ created: false });
    const etag = created.created ? created.etag : '';
    expect(await store.replace({ ...lock, renewedAt: '2026-11-23T10:00:20.000Z' }, '"stale"')).toEqual({
      ok: false,
      reason: 'changed',
    });
    const renewed = await store.replace({ ...lock, renewedAt: '2026-11-23T10:00:20.000Z' }, etag);
    expect(renewed.ok).toBe(true);
    expect(await store.remove(etag)).toBe('changed');
    const status = await readLockStatus(store);
    expect(status?.lock.renewedAt).toBe('2026-11-23T10:00:20.000Z');
    expect(await store.remove(status!.etag)).toBe('deleted');
    expect(await store.remove(status!.etag)).toBe('gone');
    expect(await store.replace(lock, status!.etag)).toEqual({ ok: false, reason: 'gone' });
  });

  it('treats an unreadable lock document as MANIFEST_INVALID rather than taking it over', async () => {
    const s3 = new FakeS3([BUCKET]);
    s3.put(BUCKET, KEY, 'not json');
    const error = await rejectionOf(s3LockStore(s3.client, runner, BUCKET, 'prod').read());
    expect(isFrontendOpsError(error, 'MANIFEST_INVALID')).toBe(true);
    expect(error.hint).toContain('frontendops unlock --stack prod --force');
  });

  it('surfaces access errors as S3_ERROR', async () => {
    const s3 = new FakeS3([BUCKET]);
    s3.fail = () => s3Error('AccessDenied', 403);
    const error = await rejectionOf(
      s3LockStore(s3.client, runner, BUCKET, 'prod').create(
        DeployLockSchema.parse({
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
      ),
    );
    expect(error.code).toBe('S3_ERROR');
    expect(error.message).toContain('AccessDenied');
  });
});
