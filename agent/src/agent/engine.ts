import { readBuildManifest } from '../deploy/manifest.js';
import { listReleases, readCurrentRelease } from '../deploy/releases.js';
import { parseSyncCommand } from '../deploy/sync-command.js';
import type { Engine } from './flow.js';

/**
 * The real deploy engine (agent/src/deploy), as the flow sees it. The pipeline (copy, invalidation, prune,
 * lib-storage…) is loaded by the first deploy: `status` and `history` only read.
 */
export const realEngine: Engine = {
  runDeploy: async (...args) => (await import('../deploy/pipeline.js')).runDeploy(...args),
  parseSyncCommand,
  readBuildManifest: (s3, sync, commit, runner) => readBuildManifest(s3, sync, commit, runner),
  readCurrentRelease: (s3, bucket, stack, runner) => readCurrentRelease(s3, bucket, stack, runner),
  listReleases: (s3, bucket, stack, runner) => listReleases(s3, bucket, stack, runner),
};
