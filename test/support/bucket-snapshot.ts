import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/**
 * Every key and ETag of some buckets: what a failure-path test compares before and after, so
 * "nothing lost, nothing half-done" is checked object by object, not inferred from a status.
 */
export type BucketSnapshot = Record<string, Record<string, string>>;

export async function listKeysAndEtags(
  s3: S3Client,
  bucket: string,
  prefix = '',
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...(prefix === '' ? {} : { Prefix: prefix }),
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) out[object.Key] = object.ETag ?? '';
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

export async function snapshotBuckets(s3: S3Client, buckets: readonly string[]): Promise<BucketSnapshot> {
  const entries = await Promise.all(buckets.map(async (b) => [b, await listKeysAndEtags(s3, b)] as const));
  return Object.fromEntries(entries);
}

/** Keys of `before` that are gone or changed in `after` (empty: nothing of `before` was lost). */
export function lostOrChanged(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.entries(before)
    .filter(([key, etag]) => after[key] !== etag)
    .map(([key]) => key)
    .sort();
}
