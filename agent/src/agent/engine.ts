import { breakLock, readLockStatus, s3LockStore } from '../deploy/lock.js';
import { readBuildManifest } from '../deploy/manifest.js';
import { finishRelease, runDeploy } from '../deploy/pipeline.js';
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

/** The real deploy engine (agent/src/deploy), as the flow sees it. */
export const realEngine: Engine = {
  runDeploy,
  finishRelease,
  parseSyncCommand,
  readBuildManifest: (s3, sync, commit, runner) => readBuildManifest(s3, sync, commit, runner),
  readCurrentRelease: (s3, bucket, stack, runner) => readCurrentRelease(s3, bucket, stack, runner),
  listReleases: (s3, bucket, stack, runner) => listReleases(s3, bucket, stack, runner),
  readLockStatus: (s3, bucket, stack, runner) => readLockStatus(lockStore(s3, bucket, stack, runner)),
  breakLock: (s3, bucket, stack, etag, runner) => breakLock(lockStore(s3, bucket, stack, runner), etag),
};
