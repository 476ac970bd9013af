import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ListedObject } from './plan.js';
import { type RequestRunner, s3Failure } from './requests.js';
import type { S3Location } from './sync-command.js';

/**
 * Lists the hosting bucket under its prefix: the planner's view of what is really there. A listing
 * carries ETag and size but not metadata, which is why release records keep the ETag each copy
 * returned: comparing the two detects an object changed out of band without a HEAD per file.
 */
export async function listHosting(
  s3: S3Client,
  runner: RequestRunner,
  location: S3Location,
): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await runner
      .run('ListObjectsV2', (abortSignal) =>
        s3.send(
          new ListObjectsV2Command({
            Bucket: location.bucket,
            ...(location.prefix === '' ? {} : { Prefix: location.prefix }),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          { abortSignal },
        ),
      )
      .catch((error: unknown) => {
        throw s3Failure(error, `listing s3://${location.bucket}/${location.prefix}`);
      });
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || !object.Key.startsWith(location.prefix)) continue;
      objects.push({
        path: object.Key.slice(location.prefix.length),
        size: object.Size ?? 0,
        etag: object.ETag ?? '',
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** Any location: the build prefix in the artifacts bucket is listed the same way (preflight, publish). */
export const listObjectsUnder = listHosting;
