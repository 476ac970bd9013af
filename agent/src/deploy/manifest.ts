import type { S3Client } from '@aws-sdk/client-s3';
import { FrontendOpsError } from '../errors.js';
import { createRequestRunner, type RequestRunner, realSleep } from './requests.js';
import { getJson } from './s3-json.js';
import { type BuildManifest, BuildManifestSchema } from './schemas.js';
import { buildManifestKeyFor, type SyncCommand } from './sync-command.js';

/**
 * The build manifest of a commit (`build.json`), read from the artifacts bucket. It is
 * written last by `publish`, so its absence means "no complete build" and the engine never deploys a
 * half-uploaded folder.
 */
export async function readBuildManifest(
  s3: S3Client,
  sync: SyncCommand,
  commit: string,
  runner: RequestRunner = createRequestRunner({ sleep: realSleep }),
): Promise<BuildManifest | undefined> {
  const key = buildManifestKeyFor(sync, commit);
  const found = await getJson(s3, runner, sync.source.bucket, key, BuildManifestSchema);
  if (found === undefined) return undefined;
  if (found.value.commit !== commit) {
    throw new FrontendOpsError(
      'MANIFEST_INVALID',
      `s3://${sync.source.bucket}/${key} names commit ${found.value.commit}, not ${commit}`,
      { hint: 'The manifest was copied from another build; republish this commit.' },
    );
  }
  return found.value;
}
