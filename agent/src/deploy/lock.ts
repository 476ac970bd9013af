import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FrontendOpsError } from '../errors.js';
import { isNotFound, isPreconditionFailed, type RequestRunner, s3ErrorName, s3Failure } from './requests.js';
import { getJson, putJson } from './s3-json.js';
import { type DeployLock, DeployLockSchema, type Trigger } from './schemas.js';

/**
 * The per-stack deploy lock (design §5 step 3): `locks/<stack>.json` in the artifacts bucket, created
 * with `If-None-Match: *` so exactly one deployer wins. It names its owner and expires unless renewed,
 * so a crashed deploy blocks others for at most one TTL. Takeover of an expired lock, renewal and
 * release are all conditional on the ETag the holder last saw: nobody ever overwrites or deletes a
 * lock they do not hold.
 */
export function lockKey(stack: string): string {
  return `locks/${stack}.json`;
}

export interface LockRequest {
  artifactsBucket: string;
  stack: string;
  owner: string;
  trigger: Trigger;
  commit: string;
  requestedBy: string;
  ttlSeconds: number;
  lockId: string;
}

export interface LockDeps {
  s3: S3Client;
  runner: RequestRunner;
  now: () => Date;
}

export interface DeployLockHandle {
  readonly lock: DeployLock;
  /** Renews the lock when a third of its TTL has passed; LOCK_LOST when someone else holds it now. */
  keepAlive(): Promise<void>;
  /** Deletes the lock if it is still ours. Returns false when it was not (taken over after expiry). */
  release(): Promise<boolean>;
}

const MAX_ACQUIRE_ROUNDS = 5;

function heldBy(lock: DeployLock): string {
  return `${lock.owner} (trigger ${lock.trigger}, commit ${lock.commit.slice(0, 12)}, since ${lock.acquiredAt}, expires ${lock.expiresAt})`;
}

function inProgress(lock: DeployLock): FrontendOpsError {
  return new FrontendOpsError(
    'DEPLOY_IN_PROGRESS',
    `stack ${lock.stack} is being deployed by ${heldBy(lock)}`,
    {
      hint: 'Wait for that deploy to finish, or for its lock to expire (a crashed deploy stops renewing it).',
      data: { holder: lock },
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
  };
}

/** S3 answers 409 ConditionalRequestConflict when two conditional writes on a key race: try again. */
function isConditionalConflict(error: unknown): boolean {
  return s3ErrorName(error) === 'ConditionalRequestConflict';
}

export async function acquireDeployLock(deps: LockDeps, request: LockRequest): Promise<DeployLockHandle> {
  const { s3, runner, now } = deps;
  const bucket = request.artifactsBucket;
  const key = lockKey(request.stack);
  const where = `s3://${bucket}/${key}`;

  const readLock = () => getJson(s3, runner, bucket, key, DeployLockSchema);

  for (let round = 0; round < MAX_ACQUIRE_ROUNDS; round += 1) {
    const acquiredAt = now();
    const mine = lockDocument(request, acquiredAt, acquiredAt);
    try {
      const etag = await putJson(s3, runner, bucket, key, mine, { ifNoneMatch: '*' });
      return handle(deps, request, mine, etag);
    } catch (error) {
      if (isConditionalConflict(error)) continue;
      if (!isPreconditionFailed(error)) throw s3Failure(error, `creating the deploy lock ${where}`);
    }
    const existing = await readLock();
    if (existing === undefined) continue; // released between our PUT and GET: race again
    // A retried PUT whose first attempt did succeed meets our own lock: it is ours.
    if (existing.value.lockId === request.lockId) return handle(deps, request, existing.value, existing.etag);
    if (new Date(existing.value.expiresAt).getTime() > now().getTime()) throw inProgress(existing.value);
    if (existing.etag === undefined) throw inProgress(existing.value);
    try {
      const etag = await putJson(s3, runner, bucket, key, mine, { ifMatch: existing.etag });
      return handle(deps, request, mine, etag);
    } catch (error) {
      if (isConditionalConflict(error) || isNotFound(error)) continue;
      if (!isPreconditionFailed(error)) throw s3Failure(error, `taking over the expired lock ${where}`);
      const now2 = await readLock();
      if (now2?.value.lockId === request.lockId) return handle(deps, request, now2.value, now2.etag);
      if (now2 !== undefined) throw inProgress(now2.value);
    }
  }
  throw new FrontendOpsError(
    'DEPLOY_IN_PROGRESS',
    `the lock ${where} keeps changing hands; another deploy is racing`,
    {
      hint: 'Retry in a moment.',
    },
  );
}

function handle(
  deps: LockDeps,
  request: LockRequest,
  initial: DeployLock,
  initialEtag: string | undefined,
): DeployLockHandle {
  const { s3, runner, now } = deps;
  const bucket = request.artifactsBucket;
  const key = lockKey(request.stack);
  let current = initial;
  let etag = initialEtag;
  let renewing: Promise<void> | undefined;
  const renewEveryMs = (request.ttlSeconds * 1000) / 3;

  const lost = (detail: string) =>
    new FrontendOpsError('LOCK_LOST', `the deploy lock of ${request.stack} was lost: ${detail}`, {
      hint: 'The lock expired (this deploy stalled longer than lockTtlSeconds) and another deploy took it. Run the deploy again.',
    });

  async function renew(): Promise<void> {
    if (etag === undefined) throw lost('S3 returned no ETag for the lock');
    const next = lockDocument(request, new Date(current.acquiredAt), now());
    try {
      etag = await putJson(s3, runner, bucket, key, next, { ifMatch: etag });
      current = next;
    } catch (error) {
      if (!isPreconditionFailed(error) && !isNotFound(error))
        throw s3Failure(error, 'renewing the deploy lock');
      // A retried renewal whose first attempt succeeded sees its own write.
      const seen = await getJson(s3, runner, bucket, key, DeployLockSchema);
      if (seen?.value.lockId === request.lockId && seen.value.renewedAt === next.renewedAt) {
        etag = seen.etag;
        current = next;
        return;
      }
      throw lost(seen === undefined ? 'the lock object is gone' : `now held by ${heldBy(seen.value)}`);
    }
  }

  return {
    get lock() {
      return current;
    },
    async keepAlive() {
      if (renewing) return renewing;
      if (now().getTime() - new Date(current.renewedAt).getTime() < renewEveryMs) return;
      renewing = renew().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
    async release() {
      if (renewing) await renewing.catch(() => undefined);
      try {
        await runner.run('DeleteObject', (abortSignal) =>
          s3.send(
            new DeleteObjectCommand({
              Bucket: bucket,
              Key: key,
              ...(etag === undefined ? {} : { IfMatch: etag }),
            }),
            { abortSignal },
          ),
        );
        return true;
      } catch (error) {
        // Gone already (a retried delete), or no longer ours: either way not ours to delete.
        if (isNotFound(error)) return true;
        if (isPreconditionFailed(error)) return false;
        throw s3Failure(error, 'releasing the deploy lock');
      }
    },
  };
}
