import { breakLock, readLockStatus, s3LockStore } from '../deploy/lock.js';
import { readBuildManifest } from '../deploy/manifest.js';
import { finishRelease, runDeploy } from '../deploy/pipeline.js';
import { listReleases, readCurrentRelease } from '../deploy/releases.js';
import { createRequestRunner, realSleep } from '../deploy/requests.js';
import { parseSyncCommand } from '../deploy/sync-command.js';
import type { Engine } from './flow.js';

const lockStore = (s3: Parameters<typeof s3LockStore>[0], bucket: string, stack: string) =>
  s3LockStore(s3, createRequestRunner({ sleep: realSleep }), bucket, stack);

/** The real deploy engine (agent/src/deploy), as the flow sees it. */
export const realEngine: Engine = {
  runDeploy,
  finishRelease,
  parseSyncCommand,
  readBuildManifest: (s3, sync, commit) => readBuildManifest(s3, sync, commit),
  readCurrentRelease: (s3, bucket, stack) => readCurrentRelease(s3, bucket, stack),
  listReleases: (s3, bucket, stack) => listReleases(s3, bucket, stack),
  readLockStatus: (s3, bucket, stack) => readLockStatus(lockStore(s3, bucket, stack)),
  breakLock: (s3, bucket, stack, etag) => breakLock(lockStore(s3, bucket, stack), etag),
};
