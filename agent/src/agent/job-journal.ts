import type { S3Client } from '@aws-sdk/client-s3';
import { lockKey } from '../deploy/lock.js';
import { listReleases, readCurrentRelease } from '../deploy/releases.js';
import type { RequestRunner } from '../deploy/requests.js';
import { getJson } from '../deploy/s3-json.js';
import { DeployLockSchema } from '../deploy/schemas.js';
import type { LockView, ReleaseView } from './jobs.js';

/**
 * What deploy jobs read of the engine's own records: the stack's lock (whose lock id is the job id of
 * the agent job holding it) and the release a job journaled. Read-only.
 */

export async function readLockView(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  stack: string,
  now: () => Date,
): Promise<LockView | undefined> {
  const found = await getJson(s3, runner, bucket, lockKey(stack), DeployLockSchema);
  if (found === undefined) return undefined;
  const lock = found.value;
  return {
    lockId: lock.lockId,
    holder: lock.owner,
    expired: Date.parse(lock.expiresAt) <= now().getTime(),
  };
}

export async function readReleaseView(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  stack: string,
  ref: { releaseId?: string; jobId: string },
): Promise<ReleaseView | undefined> {
  const current = await readCurrentRelease(s3, bucket, stack, runner);
  const matches = (r: { releaseId: string }) => ref.releaseId !== undefined && r.releaseId === ref.releaseId;
  const record =
    current !== undefined && matches(current)
      ? current
      : ref.releaseId === undefined
        ? undefined
        : (await listReleases(s3, bucket, stack, runner)).find(matches);
  if (record === undefined) return undefined;
  return {
    releaseId: record.releaseId,
    status: 'complete',
    commit: record.commit,
    ...(record.tag ? { tag: record.tag } : {}),
    missing: [],
  };
}
