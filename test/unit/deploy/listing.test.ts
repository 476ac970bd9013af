import { describe, expect, it } from 'vitest';
import {
  compareUtf8,
  LIST_PAGE_KEYS,
  listObjectsUnder,
  segmentBoundaries,
} from '../../../agent/src/deploy/listing.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { FakeS3, s3Error } from '../../support/fake-s3.js';
import { rejectionOf } from '../../support/rejection.js';

/** The preflight's listing of a build: segments listed at once, bounded by the manifest's paths. */

const BUCKET = 'artifacts-1';
const PREFIX = 'builds/abc/site/';
const location = { bucket: BUCKET, prefix: PREFIX };

function runner() {
  return createRequestRunner({ sleep: async () => undefined, random: () => 0 });
}

function pathsOf(count: number, name = (i: number) => `assets/chunk-${String(i).padStart(5, '0')}.js`) {
  return Array.from({ length: count }, (_, i) => name(i));
}

function storeWith(paths: readonly string[]): FakeS3 {
  const s3 = new FakeS3([BUCKET]);
  for (const path of paths) s3.put(BUCKET, `${PREFIX}${path}`, `content of ${path}`);
  // A sibling of the prefix: never part of the listing.
  s3.put(BUCKET, 'builds/abc/build.json', '{}');
  return s3;
}

/** The inputs of every ListObjectsV2 call the fake answers from now on. */
function recordLists(s3: FakeS3): Record<string, unknown>[] {
  const inputs: Record<string, unknown>[] = [];
  s3.fail = (call, input) => {
    if (call.operation === 'ListObjectsV2') inputs.push(input);
    return undefined;
  };
  return inputs;
}

describe('segmentBoundaries', () => {
  it('splits after every page-full of paths in S3 order, and not at all for one page', () => {
    expect(segmentBoundaries([])).toEqual([]);
    expect(segmentBoundaries(pathsOf(LIST_PAGE_KEYS))).toEqual([]);
    const paths = pathsOf(2500).reverse();
    expect(segmentBoundaries(paths)).toEqual(['assets/chunk-00999.js', 'assets/chunk-01999.js']);
    expect(segmentBoundaries([...paths, ...paths])).toEqual(segmentBoundaries(paths));
  });

  it('orders by UTF-8 bytes, as S3 lists, where UTF-16 order differs', () => {
    // U+FFFD sorts before U+1F600 in UTF-8 (EF… < F0…) but after it in UTF-16 (FFFD > D83D).
    expect(compareUtf8('\uFFFD', '\u{1F600}')).toBeLessThan(0);
    expect('\uFFFD' < '\u{1F600}').toBe(false);
    expect(segmentBoundaries(['\u{1F600}', '\uFFFD', 'a'], 1)).toEqual(['a', '\uFFFD']);
  });
});

describe('listObjectsUnder with the expected paths', () => {
  it('lists a 2,500-file build in three segments started at once, each from its boundary', async () => {
    const paths = pathsOf(2500);
    const s3 = storeWith(paths);
    const inputs = recordLists(s3);
    const listed = await listObjectsUnder(s3.client, runner(), location, paths);
    expect(listed.map((o) => o.path).sort()).toEqual([...paths].sort());
    expect(inputs).toHaveLength(3);
    expect(inputs.map((i) => i.StartAfter)).toEqual([
      undefined,
      `${PREFIX}assets/chunk-00999.js`,
      `${PREFIX}assets/chunk-01999.js`,
    ]);
    expect(inputs.every((i) => i.ContinuationToken === undefined)).toBe(true);
  });

  it('finds every object when the bucket holds files the manifest does not name (no gap, no duplicate)', async () => {
    const expected = pathsOf(2000);
    const extra = pathsOf(700, (i) => `assets/chunk-${String(i * 3).padStart(5, '0')}-extra.js`);
    const s3 = storeWith([...expected, ...extra]);
    const listed = await listObjectsUnder(s3.client, runner(), location, expected);
    const seen = listed.map((o) => o.path);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...expected, ...extra].sort());
  });

  it('finds every object when a boundary file is missing: that segment lists on to the end', async () => {
    const expected = pathsOf(3000);
    const stored = expected.filter((p) => p !== 'assets/chunk-00999.js');
    const s3 = storeWith(stored);
    const inputs = recordLists(s3);
    const listed = await listObjectsUnder(s3.client, runner(), location, expected);
    const seen = listed.map((o) => o.path);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...stored].sort());
    // The first segment could not stop at its boundary: it paged on with continuation tokens.
    expect(inputs.some((i) => i.ContinuationToken !== undefined)).toBe(true);
  });

  it('reports each object with its size and ETag', async () => {
    const paths = pathsOf(1500);
    const s3 = storeWith(paths);
    const listed = await listObjectsUnder(s3.client, runner(), location, paths);
    const one = listed.find((o) => o.path === 'assets/chunk-01234.js');
    expect(one).toEqual({
      path: 'assets/chunk-01234.js',
      size: Buffer.byteLength('content of assets/chunk-01234.js'),
      etag: s3.bucket(BUCKET).get(`${PREFIX}assets/chunk-01234.js`)!.etag,
    });
  });

  it('fails as the listing of the prefix when a segment fails', async () => {
    const paths = pathsOf(2500);
    const s3 = storeWith(paths);
    s3.fail = (call, input) =>
      call.operation === 'ListObjectsV2' && (input as { StartAfter?: string }).StartAfter !== undefined
        ? s3Error('AccessDenied', 403)
        : undefined;
    const error = await rejectionOf(listObjectsUnder(s3.client, runner(), location, paths));
    expect(error).toBeInstanceOf(FrontendOpsError);
    expect((error as FrontendOpsError).code).toBe('S3_ERROR');
    expect((error as FrontendOpsError).message).toContain(`listing s3://${BUCKET}/${PREFIX}`);
  });

  it('lists in one series of pages without expected paths', async () => {
    const paths = pathsOf(2500);
    const s3 = storeWith(paths);
    const inputs = recordLists(s3);
    const listed = await listObjectsUnder(s3.client, runner(), location);
    expect(listed).toHaveLength(2500);
    expect(inputs.map((i) => i.StartAfter)).toEqual([undefined, undefined, undefined]);
  });
});
