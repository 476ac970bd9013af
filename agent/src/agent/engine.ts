import { breakLock, readLockStatus, s3LockStore } from '../deploy/lock.js';
import { readBuildManifest } from '../deploy/manifest.js';
import { listReleases, readCurrentRelease } from '../deploy/releases.js';
import { createRequestRunner, type RequestRunner, realSleep } from '../deploy/requests.js';
import { parseSyncCommand } from '../deploy/sync-command.js';
import type { Engine } from './flow.js';

const lockStore = (
  s3: Parameters<typeof s3LockStore>[0],
  bucket: string,
  stack: string,
  runner: RequestRunner = createRequestRunner({ sleep: realSleep }),
) => s3LockStore(s3, runner, bucket, stack);

/**
 * The real deploy engine (agent/src/deploy), as the flow sees it. The pipeline (copy, invalidation, prune,
 * lib-storage…) is loaded by the first deploy: `status` and `history` only read.
 */
export const realEngine: Engine = {
  runDeploy: async (...args) => (await import('../deploy/pipeline.js')).runDeploy(...args),
  finishRelease: async (...args) => (await import('../deploy/pipeline.js')).finishRelease(...args),
  parseSyncCommand,
  readBuildManifest: (s3, sync, commit, runner) => readBuildManifest(s3, sync, commit, runner),
  readCurrentRelease: (s3, bucket, stack, runner) => readCurrentRelease(s3, bucket, stack, runner),
  listReleases: (s3, bucket, stack, runner) => listReleases(s3, bucket, stack, runner),
  readLockStatus: (s3, bucket, stack, runner) => readLockStatus(lockStore(s3, bucket, stack, runner)),
  breakLock: (s3, bucket, stack, etag, runner) => breakLock(lockStore(s3, bucket, stack, runner), etag),
};
