import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { FrontendOpsError } from '../errors.js';
import type { RequestRunner } from './requests.js';
import { assertWritableSitePaths } from './reserved.js';
import type { S3Location } from './sync-command.js';

/** DeleteObjects takes at most 1,000 keys (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html). */
export const MAX_DELETE_KEYS = 1000;

const RETRYABLE_KEY_ERRORS = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable', 'RequestTimeout']);

/**
 * Deletes site files from the hosting bucket (only after the invalidation
 * completed). DeleteObjects reports per-key failures inside a 200 response; retryable ones make the
 * whole batch be tried again (deleting is idempotent), any other one fails the prune naming the key.
 */
export async function deleteSiteFiles(
  s3: S3Client,
  runner: RequestRunner,
  location: S3Location,
  paths: readonly string[],
  /** Before each batch: the deploy lock's fence (deletes are irreversible). */
  beforeBatch?: () => Promise<void>,
): Promise<number> {
  // Checked for the whole list before the first batch: a reserved key refuses the prune, nothing deleted.
  assertWritableSitePaths(location, paths, 'delete');
  let deleted = 0;
  for (let start = 0; start < paths.length; start += MAX_DELETE_KEYS) {
    const batch = paths.slice(start, start + MAX_DELETE_KEYS);
    await beforeBatch?.();
    await runner.run('DeleteObjects', async (abortSignal) => {
      const output = await s3.send(
        new DeleteObjectsCommand({
          Bucket: location.bucket,
          Delete: { Objects: batch.map((p) => ({ Key: `${location.prefix}${p}` })), Quiet: true },
        }),
        { abortSignal },
      );
      const errors = output.Errors ?? [];
      if (errors.length === 0) return;
      if (errors.every((e) => RETRYABLE_KEY_ERRORS.has(e.Code ?? ''))) {
        const retry = new Error(
          `DeleteObjects failed for ${errors.length} keys (${errors[0]?.Code})`,
        ) as Error & {
          $retryable: Record<string, never>;
        };
        retry.name = 'DeleteObjectsPartialFailure';
        retry.$retryable = {};
        throw retry;
      }
      const first = errors.find((e) => !RETRYABLE_KEY_ERRORS.has(e.Code ?? '')) ?? errors[0];
      throw new FrontendOpsError(
        'S3_ERROR',
        `deleting ${first?.Key} failed: ${first?.Code}: ${first?.Message}`,
        {
          hint: 'The deployer credentials may lack s3:DeleteObject on the hosting bucket.',
          data: { failedKeys: errors.length },
        },
      );
    });
    deleted += batch.length;
  }
  return deleted;
}
