import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';

const { sandbox } = sandboxPerFile();
let s3: S3Client;
let bucket: string;

beforeAll(() => {
  s3 = sandboxS3Client(sandbox());
  bucket = sandbox().info.artifactsBucket;
});
afterAll(() => s3.destroy());

async function text(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString()) ?? '';
}

describe('sandbox S3: the engine talks to it through the newest @aws-sdk/client-s3 as to AWS', () => {
  it('puts, heads and gets an object with its metadata', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'basic/hello.txt',
        Body: 'hello',
        ContentType: 'text/plain; charset=utf-8',
        CacheControl: 'max-age=60',
        Metadata: { sha256: 'abc' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'basic/hello.txt' }));
    expect(head.ContentLength).toBe(5);
    expect(head.ContentType).toBe('text/plain; charset=utf-8');
    expect(head.CacheControl).toBe('max-age=60');
    expect(head.Metadata).toEqual({ sha256: 'abc' });
    expect(head.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"'); // md5("hello")
    expect(await text('basic/hello.txt')).toBe('hello');
  });

  it('pages ListObjectsV2 past 1,000 keys with continuation tokens', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `paging/k${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(
        keys
          .slice(i, i + 100)
          .map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))),
      );
    }
    const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'paging/' }));
    expect(first.KeyCount).toBe(1000);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextContinuationToken).toBeTruthy();
    const second = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: 'paging/',
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.IsTruncated).toBe(false);
    const listed = [...(first.Contents ?? []), ...(second.Contents ?? [])].map((o) => o.Key);
    expect(listed).toEqual(keys);
  });

  it("regression: lists in S3's order (UTF-8 bytes) across pages, so no key is skipped at a page boundary", async () => {
    // The emulator sorted with localeCompare ('a…' before 'B…') but skipped keys before a continuation
    // token by code units ('B' < 'a'): `order/B.js` fell between the pages and was never listed.
    const lower = Array.from({ length: 1000 }, (_, i) => `order/a${String(i).padStart(4, '0')}.js`);
    const odd = [
      'order/B.js',
      'order/Z-9.css',
      'order/_x.txt',
      'order/\u00e9.txt',
      'order/\u{1F600}.txt',
      'order/\uFFFD.txt',
    ];
    const keys = [...lower, ...odd];
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(
        keys
          .slice(i, i + 100)
          .map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))),
      );
    }
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'order/', ContinuationToken: token }),
      );
      listed.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const utf8 = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(listed).toEqual(utf8);
    expect(listed.slice(0, 2)).toEqual(['order/B.js', 'order/Z-9.css']);
    expect(listed.slice(-3)).toEqual(['order/\u00e9.txt', 'order/\uFFFD.txt', 'order/\u{1F600}.txt']);
    // StartAfter in the same order: everything after 'order/Z-9.css' (so not 'order/B.js').
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'order/', StartAfter: 'order/Z-9.css', MaxKeys: 2 }),
    );
    expect(after.Contents?.map((o) => o.Key)).toEqual(['order/_x.txt', 'order/a0000.js']);
  });

  it('lists with a delimiter as folders (CommonPrefixes)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tree/a/1.txt', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tree/b/2.txt', Body: '2' }));
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tree/', Delimiter: '/' }));
    expect(out.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['tree/a/', 'tree/b/']);
  });

  it('copies with MetadataDirective COPY (source headers kept) and REPLACE (new headers)', async () => {
    const source = 'copy/src file+=&?#.html';
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: source,
        Body: '<p>copy</p>',
        ContentType: 'text/html',
        CacheControl: 'no-cache',
        Metadata: { commit: 'c1' },
      }),
    );
    const copySource = `${bucket}/${encodeURIComponent(source)}`;
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/kept.html',
        CopySource: copySource,
        MetadataDirective: 'COPY',
      }),
    );
    const kept = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/kept.html' }));
    expect([kept.ContentType, kept.CacheControl, kept.Metadata]).toEqual([
      'text/html',
      'no-cache',
      { commit: 'c1' },
    ]);

    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/replaced.html',
        CopySource: copySource,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/html; charset=utf-8',
        CacheControl: 'public, max-age=31536000, immutable',
        Metadata: { commit: 'c2' },
      }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/replaced.html' }));
    expect([replaced.ContentType, replaced.CacheControl, replaced.Metadata]).toEqual([
      'text/html; charset=utf-8',
      'public, max-age=31536000, immutable',
      { commit: 'c2' },
    ]);
    expect(await text('copy/replaced.html')).toBe('<p>copy</p>');
  });

  it('honours x-amz-copy-source-if-match on copies (412 when the source changed)', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy/guarded.txt', Body: 'v1' }));
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'copy/guarded-copy.txt',
          CopySource: `${bucket}/copy/guarded.txt`,
          CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"',
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy/guarded-copy.txt',
        CopySource: `${bucket}/copy/guarded.txt`,
        CopySourceIfMatch: put.ETag,
      }),
    );
    expect(await text('copy/guarded-copy.txt')).toBe('v1');
  });

  it('deletes many keys with DeleteObjects and one with DeleteObject', async () => {
    const keys = ['del/a', 'del/b', 'del/c'];
    await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));
    const out = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'del/a' }, { Key: 'del/b' }] } }),
    );
    expect(out.Deleted?.map((d) => d.Key).sort()).toEqual(['del/a', 'del/b']);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'del/c' }));
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'del/' }));
    expect(left.KeyCount).toBe(0);
  });

  it('assembles a multipart upload, including a part copied with UploadPartCopy, with an S3 multipart ETag', async () => {
    const partSize = 5 * 1024 * 1024;
    const partA = Buffer.alloc(partSize, 'a');
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'mpu/source.bin', Body: Buffer.alloc(partSize, 'b') }),
    );
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mpu/big.bin',
        ContentType: 'application/octet-stream',
      }),
    );
    const one = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mpu/big.bin', UploadId, PartNumber: 1, Body: partA }),
    );
    const two = await s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'mpu/big.bin',
        UploadId,
        PartNumber: 2,
        CopySource: `${bucket}/mpu/source.bin`,
      }),
    );
    const three = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mpu/big.bin', UploadId, PartNumber: 3, Body: 'tail' }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mpu/big.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: one.ETag },
            { PartNumber: 2, ETag: two.CopyPartResult?.ETag },
            { PartNumber: 3, ETag: three.ETag },
          ],
        },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mpu/big.bin' }));
    expect(head.ContentLength).toBe(2 * partSize + 4);
    const counts = sandbox().requestCounts();
    expect(counts.UploadPartCopy).toBeGreaterThanOrEqual(1);
    expect(counts.CompleteMultipartUpload).toBeGreaterThanOrEqual(1);
  });

  it('refuses unsigned requests with AccessDenied, as a private bucket does', async () => {
    const res = await fetch(`${sandbox().info.s3Endpoint}/${bucket}/basic/hello.txt`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });
});

describe('sandbox S3: conditional writes', () => {
  it('If-None-Match: * on an existing key fails with 412 PreconditionFailed and leaves the object unchanged', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/existing.json', Body: '{"v":1}' }));
    await expect(
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'cond/existing.json',
          Body: '{"v":2}',
          IfNoneMatch: '*',
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(await text('cond/existing.json')).toBe('{"v":1}');
  });

  it('If-None-Match: * on a missing key writes it', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'cond/new.json', Body: 'new', IfNoneMatch: '*' }),
    );
    expect(await text('cond/new.json')).toBe('new');
  });

  it('two concurrent conditional puts of one key: exactly one wins', async () => {
    for (let round = 0; round < 5; round += 1) {
      const key = `cond/race-${round}.json`;
      const results = await Promise.allSettled(
        ['a', 'b', 'c', 'd'].map((Body) =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body, IfNoneMatch: '*' })),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r.reason as Error).name)).toEqual([
        'PreconditionFailed',
        'PreconditionFailed',
        'PreconditionFailed',
      ]);
    }
  });

  it('If-Match replaces only the version the writer read (412 otherwise, 404 when the key is gone)', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/lock.json', Body: 'v1' }));
    const second = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'cond/lock.json', Body: 'v2', IfMatch: first.ETag }),
    );
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'cond/lock.json', Body: 'v3', IfMatch: first.ETag }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    expect(await text('cond/lock.json')).toBe('v2');
    await expect(
      s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'cond/lock.json', IfMatch: first.ETag })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'cond/lock.json', IfMatch: second.ETag }));
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'cond/lock.json', Body: 'v4', IfMatch: second.ETag }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });
});

describe('sandbox S3: conditional reads', () => {
  it('answers HeadObject conditions like S3 (304 for If-None-Match, 412 for If-Match), which fauxqs ignores', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/read.txt', Body: 'r' }));
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond/read.txt', IfNoneMatch: put.ETag })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond/read.txt', IfMatch: '"0000"' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    const ok = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'cond/read.txt', IfMatch: put.ETag }),
    );
    expect(ok.ETag).toBe(put.ETag);
  });
});

describe('sandbox S3: request counts', () => {
  it('counts requests per S3 operation and resets', async () => {
    sandbox().resetRequestCounts();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'count/a', Body: 'a' }));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'count/b', CopySource: `${bucket}/count/a` }));
    await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'count/' }));
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'count/b' }));
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'count/a' }] } }));
    expect(sandbox().requestCounts()).toEqual({
      PutObject: 1,
      CopyObject: 1,
      ListObjectsV2: 1,
      HeadObject: 1,
      DeleteObjects: 1,
    });
  });
});
