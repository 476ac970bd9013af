import { readBuildManifest } from '../deploy/manifest.js';
import { runDeploy } from '../deploy/pipeline.js';
import { listReleases, readCurrentRelease } from '../deploy/releases.js';
import { parseSyncCommand } from '../deploy/sync-command.js';
import type { Engine } from './flow.js';

/** The real deploy engine (agent/src/deploy), as the flow sees it. */
export const realEngine: Engine = {
  runDeploy,
  parseSyncCommand,
  readBuildManifest: (s3, sync, commit) => readBuildManifest(s3, sync, commit),
  readCurrentRelease: (s3, bucket, stack) => readCurrentRelease(s3, bucket, stack),
  listReleases: (s3, bucket, stack) => listReleases(s3, bucket, stack),
};
