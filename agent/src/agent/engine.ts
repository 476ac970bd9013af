import { readBuildManifest } from '../deploy/manifest.js';
import { runDeploy } from '../deploy/pipeline.js';
import { listReleases, readCurrentRelease } from '../deploy/releases.js';
import { parseSyncCommand } from '../deploy/sync-command.js';
import type { Engine } from './flow.js';

/** The real deploy engine (agent/src/deploy), as the flow sees it. */
export const realEngine: Engine = {
  runDeploy,
  parseSyncCommand,
  readBuildManifest: (s3, sync, commit, runner) => readBuildManifest(s3, sync, commit, runner),
  readCurrentRelease: (s3, bucket, stack, runner) => readCurrentRelease(s3, bucket, stack, runner),
  listReleases: (s3, bucket, stack, runner) => listReleases(s3, bucket, stack, runner),
};
