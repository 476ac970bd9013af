import { performance } from 'node:perf_hooks';
import { FrontendOpsError } from '../errors.js';
import type { LockObject, LockStore } from './lock-store.js';
import type { DeployLock, Trigger } from './schemas.js';

export { type LockObject, type LockStore, lockKey, s3LockStore } from './lock-store.js';

/**
 * The per-stack deploy lock: a lease on `locks/<stack>.json` in the artifacts bucket. docs/engine.md
 * describes the protocol; the function names below are its steps.
 *
 * - `acquireDeployLock`: create with `If-None-Match: *`; if a lock exists, take it over only when it
 *   has expired **by S3's clock** (`isLockExpired`: the object's Last-Modified plus its TTL, against
 *   S3's Date header), with `If-Match` on the ETag that was read.
 * - `renewLock` (the handle's timer, every TTL/3, through every step): rewrite with `If-Match` on the
 *   holder's last ETag. A failed condition means another deployer took the lock: it is lost for good.
 * - `fenceLock` (before every irreversible step): the same conditional write, proving the holder still
 *   holds the lock at that moment; one sent less than `FENCE_WINDOW_MS` ago counts.
 * - `checkLease` (before every copy): no request while the last successful conditional write was sent
 *   less than 2/3 TTL ago (nobody can take the lock over before a full TTL after it, by S3's clock);
 *   otherwise a renewal.
 * - `releaseLock`: delete with `If-Match`; never deletes a lock the holder lost.
 *
 * A deployer's own wall clock never decides anything: renewal and lease timing use its monotonic
 * clock (durations only), and expiry is S3's.
 */

/** HTTP dates have whole seconds: allow for the rounding of Last-Modified and Date. */
export const CLOCK_GRANULARITY_MS = 1000;
/** A conditional lock write this recent counts as the fence of the next irreversible step. */
export const FENCE_WINDOW_MS = 1000;
const MAX_ACQUIRE_ROUNDS = 5;

export interface LockRequest {
  stack: string;
  owner: string;
  trigger: Trigger;
  commit: string;
  requestedBy: string;
  ttlSeconds: number;
  lockId: string;
}

export interface LockDeps {
  store: LockStore;
  /** Wall clock: only written into the lock for people (acquiredAt, renewedAt). */
  now: () => Date;
  /** Monotonic milliseconds, for lease timing (default performance.now). */
  monotonic?: () => number;
  /** Runs `fn` after `ms`; returns a cancel function (default setTimeout, unref'd). */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

/** How old the lock is and whether it expired — by S3's clock; undefined when S3 did not say. */
export interface LockAge {
  ageMs: number;
  ttlMs: number;
  expired: boolean;
}

export function lockTtlMs(lock: DeployLock): number {
  if (lock.ttlSeconds !== undefined) return lock.ttlSeconds * 1000;
  // Locks written before ttlSeconds: both times come from the holder's one clock, so their difference
  // is skew-free.
  return Math.max(0, Date.parse(lock.expiresAt) - Date.parse(lock.renewedAt));
}

/** `isLockExpired`: S3's Date minus the lock's Last-Modified, against its TTL. */
export function lockAge(
  object: Pick<LockObject, 'lock' | 'lastModified' | 'serverDate'>,
): LockAge | undefined {
  if (object.lastModified === undefined || object.serverDate === undefined) return undefined;
  const ageMs = Math.max(0, object.serverDate.getTime() - object.lastModified.getTime());
  const ttlMs = lockTtlMs(object.lock);
  return { ageMs, ttlMs, expired: ageMs > ttlMs + CLOCK_GRANULARITY_MS };
}

export function isLockExpired(object: Pick<LockObject, 'lock' | 'lastModified' | 'serverDate'>): boolean {
  return lockAge(object)?.expired ?? false;
}

export function describeHolder(lock: DeployLock, age?: LockAge): string {
  const timing =
    age === undefined
      ? `since ${lock.acquiredAt}`
      : age.expired
        ? `last renewed ${Math.round(age.ageMs / 1000)} s ago by S3's clock, expired`
        : `last renewed ${Math.round(age.ageMs / 1000)} s ago by S3's clock, expires in ${Math.max(
            0,
            Math.round((age.ttlMs - age.ageMs) / 1000),
          )} s`;
  return `${lock.owner} (trigger ${lock.trigger}, commit ${lock.commit.slice(0, 12)}, ${timing})`;
}

function inProgress(object: LockObject): FrontendOpsError {
  const age = lockAge(object);
  return new FrontendOpsError(
    'DEPLOY_IN_PROGRESS',
    `stack ${object.lock.stack} is being deployed by ${describeHolder(object.lock, age)}`,
    {
      hint:
        age === undefined
          ? `S3 did not report its time, so the lock's age is unknown; if no deploy runs, \`frontendops unlock --stack ${object.lock.stack}\`.`
          : `Wait for that deploy to finish, or for its lock to expire; \`frontendops status\` shows it, \`frontendops unlock --stack ${object.lock.stack}\` releases a stale one.`,
      data: {
        holder: object.lock,
        ...(age === undefined ? {} : { ageSeconds: Math.round(age.ageMs / 1000), expired: age.expired }),
      },
    },
  );
}

function lockDocument(request: LockRequest, acquiredAt: Date, now: Date): DeployLock {
  return {
    schema: 1,
    lockId: request.lockId,
    stack: request.stack,
    owner: request.owner,
    trigger: request.trigger,
    commit: request.commit,
    requestedBy: request.requestedBy,
    acquiredAt: acquiredAt.toISOString(),
    renewedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + request.ttlSeconds * 1000).toISOString(),
    ttlSeconds: request.ttlSeconds,
  };
}

export interface DeployLockHandle {
  readonly lock: DeployLock;
  /** The expired lock this deployer took over, if it did. */
  readonly tookOver: DeployLock | undefined;
  /** `checkLease`: throws LOCK_LOST once the lock is known lost; renews when the lease ran low. */
  checkLease(): Promise<void>;
  /** `fenceLock`: proves with a conditional write that the lock is still held. Throws LOCK_LOST. */
  fence(step: string): Promise<void>;
  /** `releaseLock`: stops renewing and deletes the lock if still held; false when it was lost. */
  release(): Promise<boolean>;
  /** Set once a renewal or fence found the lock taken or gone. */
  readonly lost: FrontendOpsError | undefined;
}

/** `acquireDeployLock`: create, or take over an expired lock (by S3's clock). */
export async function acquireDeployLock(deps: LockDeps, request: LockRequest): Promise<DeployLockHandle> {
  const { store, now } = deps;
  const monotonic = deps.monotonic ?? (() => performance.now());
  for (let round = 0; round < MAX_ACQUIRE_ROUNDS; round += 1) {
    const acquiredAt = now();
    const mine = lockDocument(request, acquiredAt, acquiredAt);
    let sentAt = monotonic();
    const created = await store.create(mine);
    if (created.created) return holdLock(deps, request, mine, created.etag, sentAt, undefined);
    const existing = await store.read();
    if (existing === undefined) continue; // released between our PUT and GET: race again
    // A retried create whose first attempt did succeed meets our own lock.
    if (existing.lock.lockId === request.lockId) {
      return holdLock(deps, request, existing.lock, existing.etag, sentAt, undefined);
    }
    if (!isLockExpired(existing)) throw inProgress(existing);
    sentAt = monotonic();
    const taken = await store.replace(mine, existing.etag);
    if (taken.ok) return holdLock(deps, request, mine, taken.etag, sentAt, existing.lock);
    const after = await store.read();
    if (after?.lock.lockId === request.lockId && after.lock.renewedAt === mine.renewedAt) {
      return holdLock(deps, request, after.lock, after.etag, sentAt, existing.lock);
    }
    if (after !== undefined && !isLockExpired(after)) throw inProgress(after);
  }
  throw new FrontendOpsError(
    'DEPLOY_IN_PROGRESS',
    `the lock ${store.where} keeps changing hands; another deploy is racing`,
    { hint: 'Retry in a moment; `frontendops status` shows who holds the lock.' },
  );
}

function defaultSetTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

function holdLock(
  deps: LockDeps,
  request: LockRequest,
  initial: DeployLock,
  initialEtag: string,
  initialSentAt: number,
  tookOver: DeployLock | undefined,
): DeployLockHandle {
  const { store, now } = deps;
  const monotonic = deps.monotonic ?? (() => performance.now());
  const setTimer = deps.setTimer ?? defaultSetTimer;
  const ttlMs = request.ttlSeconds * 1000;
  const renewEveryMs = ttlMs / 3;
  const leaseMs = (ttlMs * 2) / 3;
  let current = initial;
  let etag = initialEtag;
  /** Monotonic time at which the last successful conditional write of the lock was sent. */
  let confirmedAt = initialSentAt;
  let lost: FrontendOpsError | undefined;
  let renewing: Promise<void> | undefined;
  let cancelTimer: (() => void) | undefined;
  let released = false;

  const lose = (detail: string): FrontendOpsError => {
    lost ??= new FrontendOpsError('LOCK_LOST', `the deploy lock of ${request.stack} was lost: ${detail}`, {
      hint: 'Another deploy took the lock (this one stalled past lockTtlSeconds, or the lock was force-released); this deploy stopped before its next irreversible step. `frontendops status` shows the stack.',
    });
    cancelTimer?.();
    return lost;
  };

  /** `renewLock`: one conditional rewrite of the lock, shared by the timer, leases and fences. */
  function renewLock(): Promise<void> {
    if (lost) return Promise.reject(lost);
    renewing ??= (async () => {
      const next = lockDocument(request, new Date(current.acquiredAt), now());
      const sentAt = monotonic();
      const result = await store.replace(next, etag);
      if (result.ok) {
        [current, etag, confirmedAt] = [next, result.etag, sentAt];
        return;
      }
      // A retried renewal whose first attempt succeeded finds its own write.
      const seen = await store.read();
      if (seen?.lock.lockId === request.lockId && seen.lock.renewedAt === next.renewedAt) {
        [current, etag, confirmedAt] = [next, seen.etag, sentAt];
        return;
      }
      throw lose(seen === undefined ? 'the lock object is gone' : `now held by ${describeHolder(seen.lock)}`);
    })().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  function scheduleRenewal(): void {
    if (released || lost) return;
    cancelTimer = setTimer(() => {
      // A transient S3 failure is retried at the next tick; a lost lock stops the timer.
      renewLock()
        .catch(() => undefined)
        .finally(scheduleRenewal);
    }, renewEveryMs);
  }
  scheduleRenewal();

  return {
    get lock() {
      return current;
    },
    tookOver,
    get lost() {
      return lost;
    },
    async checkLease() {
      if (lost) throw lost;
      if (monotonic() - confirmedAt < leaseMs) return;
      await renewLock();
    },
    async fence() {
      if (lost) throw lost;
      if (monotonic() - confirmedAt < FENCE_WINDOW_MS) return;
      await renewLock();
    },
    async release() {
      released = true;
      cancelTimer?.();
      if (renewing) await renewing.catch(() => undefined);
      if (lost) return false;
      const result = await store.remove(etag);
      // Gone already (a retried delete) counts as released; changed means someone else holds it now.
      return result !== 'changed';
    },
  };
}

/** What `status` and `unlock` show: the lock, its ETag, and its age by S3's clock. */
export interface LockStatus {
  lock: DeployLock;
  etag: string;
  age: LockAge | undefined;
}

export async function readLockStatus(store: LockStore): Promise<LockStatus | undefined> {
  const object = await store.read();
  if (object === undefined) return undefined;
  return { lock: object.lock, etag: object.etag, age: lockAge(object) };
}

/** `breakLock` (`frontendops unlock`): deletes the lock only if it is still the one that was shown. */
export function breakLock(store: LockStore, etag: string) {
  return store.remove(etag);
}
