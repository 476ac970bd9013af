import type { S3Client } from '@aws-sdk/client-s3';
import { missingSteps } from '../deploy/journal.js';
import { lockKey } from '../deploy/lock.js';
import { listReleases, readJournal } from '../deploy/releases.js';
import type { RequestRunner } from '../deploy/requests.js';
import { getJson } from '../deploy/s3-json.js';
import { DeployLockSchema, type ReleaseEntry } from '../deploy/schemas.js';
import type { LockView, ReleaseView } from './jobs.js';

/**
 * What deploy jobs read of the engine's own records: the stack's lock (whose lock id is the job id of
 * the agent job holding it) and the release a job journaled, from the release journal. Read-only.
 */

/** How far back in the stack's release history a job's release is looked for. */
const HISTORY_LOOKBACK = 50;

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

/**
 * The release a job journaled: the one whose id the job recorded, else the one journaled under the job's
 * lock (its lock id is the job id) — in the journal (current.json) first, then in the history.
 */
export async function readReleaseView(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  stack: string,
  ref: { releaseId?: string; jobId: string },
): Promise<ReleaseView | undefined> {
  const matches = (r: Pick<ReleaseEntry, 'releaseId' | 'lockId'>) =>
    ref.releaseId !== undefined ? r.releaseId === ref.releaseId : r.lockId === ref.jobId;
  const journal = await readJournal(s3, runner, bucket, stack);
  const record: Omit<ReleaseEntry, 'fileCount'> | undefined =
    journal !== undefined && matches(journal.record)
      ? journal.record
      : (await listReleases(s3, bucket, stack, runner, HISTORY_LOOKBACK)).find(matches);
  if (record === undefined) return undefined;
  return {
    releaseId: record.releaseId,
    status: record.status,
    commit: record.commit,
    ...(record.tag ? { tag: record.tag } : {}),
    missing: record.status === 'pending' ? missingSteps(record) : [],
    ...(record.endedBy === undefined
      ? {}
      : { endedBy: `${record.endedBy.reason}, by release ${record.endedBy.releaseId}` }),
  };
}
