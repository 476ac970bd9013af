import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { ListedObject } from './plan.js';
import { type RequestRunner, s3Failure } from './requests.js';
import type { S3Location } from './sync-command.js';

/** The most keys one ListObjectsV2 page holds (S3's limit and default). */
export const LIST_PAGE_KEYS = 1000;
/** Segments of one listing in flight at once. */
export const LIST_SEGMENT_CONCURRENCY = 8;

/**
 * S3 returns keys in the binary order of their UTF-8 bytes. JavaScript's `<` compares UTF-16 code
 * units, which agrees except where a character above U+FFFF meets one in U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Where a listing of `paths` splits into segments of `perSegment` keys that can be listed at once:
 * every `perSegment`-th path in S3's order. Pure. None for a listing of one page.
 */
export function segmentBoundaries(paths: readonly string[], perSegment = LIST_PAGE_KEYS): string[] {
  const unique = [...new Set(paths)];
  const sorted = unique.some((p) => SURROGATE.test(p))
    ? unique.sort(compareUtf8)
    : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const boundaries: string[] = [];
  for (let i = perSegment - 1; i < sorted.length - 1; i += perSegment) boundaries.push(sorted[i]!);
  return boundaries;
}

interface PageRange {
  /** List keys after this path (exclusive). */
  after?: string | undefined;
  /** Stop once a page holds this path: the next segment starts after it. */
  through?: string | undefined;
  /** Set once another segment failed: no further page is requested. */
  stopped?: () => boolean;
}

/** The pages of one range under a prefix, in S3's order, until `through` is seen or the listing ends. */
async function listPages(
  s3: S3Client,
  runner: RequestRunner,
  location: S3Location,
  range: PageRange = {},
): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  const stopKey = range.through === undefined ? undefined : `${location.prefix}${range.through}`;
  let token: string | undefined;
  let first = true;
  do {
    if (range.stopped?.()) break;
    const page = await runner
      .run('ListObjectsV2', (abortSignal) =>
        s3.send(
          new ListObjectsV2Command({
            Bucket: location.bucket,
            ...(location.prefix === '' ? {} : { Prefix: location.prefix }),
            ...(first && range.after !== undefined ? { StartAfter: `${location.prefix}${range.after}` } : {}),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          { abortSignal },
        ),
      )
      .catch((error: unknown) => {
        throw s3Failure(error, `listing s3://${location.bucket}/${location.prefix}`);
      });
    first = false;
    let reachedStop = false;
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || !object.Key.startsWith(location.prefix)) continue;
      if (object.Key === stopKey) reachedStop = true;
      objects.push({
        path: object.Key.slice(location.prefix.length),
        size: object.Size ?? 0,
        etag: object.ETag ?? '',
      });
    }
    token = page.IsTruncated && !reachedStop ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/**
 * Lists the hosting bucket under its prefix: the planner's view of what is really there. A listing
 * carries ETag and size but not metadata, which is why release records keep the ETag each copy
 * returned: comparing the two detects an object changed out of band without a HEAD per file.
 */
export function listHosting(
  s3: S3Client,
  runner: RequestRunner,
  location: S3Location,
): Promise<ListedObject[]> {
  return listPages(s3, runner, location);
}

/**
 * Lists a prefix whose contents are expected to be `expected` (a build's manifest paths) in segments
 * listed at once, each starting after a boundary taken from `expected` (`StartAfter`): a 2,000-file
 * build takes one round trip instead of two in series. The result does not depend on `expected`
 * being right: each segment runs until it sees the next boundary, or to the end of the listing when
 * that key is not there, so a key missing from `expected` (or an extra one) costs pages, never a gap.
 * Keys two segments both returned are kept once.
 */
export async function listObjectsUnder(
  s3: S3Client,
  runner: RequestRunner,
  location: S3Location,
  expected: readonly string[] = [],
): Promise<ListedObject[]> {
  const boundaries = segmentBoundaries(expected);
  if (boundaries.length === 0) return listPages(s3, runner, location);
  const limit = pLimit(LIST_SEGMENT_CONCURRENCY);
  let failed = false;
  const segments = [undefined, ...boundaries].map((after, index) =>
    limit(() =>
      listPages(s3, runner, location, { after, through: boundaries[index], stopped: () => failed }).catch(
        (error: unknown) => {
          failed = true;
          throw error;
        },
      ),
    ),
  );
  const byPath = new Map<string, ListedObject>();
  for (const objects of await Promise.all(segments)) for (const o of objects) byPath.set(o.path, o);
  return [...byPath.values()];
}
