import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { HttpResponse } from '@smithy/core/protocols';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  type CopyFileRequest,
  copyFile,
  copySourceFor,
  MAX_COPY_OBJECT_BYTES,
  partSizeFor,
} from '../../../agent/src/deploy/copy.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';

const GiB = 1024 ** 3;
const noSleep = { sleep: async () => {}, random: () => 0 };

function request(overrides: Partial<CopyFileRequest> = {}): CopyFileRequest {
  return {
    sourceBucket: 'artifacts-1',
    sourceKey: 'builds/abc/site/assets/my file+1.js',
    destinationBucket: 'hosting-1',
    destinationKey: 'assets/my file+1.js',
    size: 1234,
    sha256: 'a'.repeat(64),
    contentType: 'text/javascript; charset=utf-8',
    cacheControl: 'public, max-age=31536000, immutable',
    ...overrides,
  };
}

describe('copyFile with CopyObject', () => {
  it('re-sends both headers with MetadataDirective REPLACE, the sha256 as metadata, and an encoded source', async () => {
    const client = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"e1"' } });
    const result = await copyFile(client, createRequestRunner(noSleep), request());
    expect(result.etag).toBe('"e1"');
    const input = mock.commandCalls(CopyObjectCommand)[0]?.args[0].input;
    expect(input).toEqual({
      Bucket: 'hosting-1',
      Key: 'assets/my file+1.js',
      CopySource: 'artifacts-1/builds/abc/site/assets/my%20file%2B1.js',
      MetadataDirective: 'REPLACE',
      ContentType: 'text/javascript; charset=utf-8',
      CacheControl: 'public, max-age=31536000, immutable',
      Metadata: { sha256: 'a'.repeat(64) },
    });
  });

  it('retries a success without a result as an incomplete copy', async () => {
    const client = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock
      .on(CopyObjectCommand)
      .resolvesOnce({})
      .resolves({ CopyObjectResult: { ETag: '"e2"' } });
    const runner = createRequestRunner(noSleep);
    expect((await copyFile(client, runner, request())).etag).toBe('"e2"');
    expect(runner.counts()).toEqual({ CopyObject: 2 });
  });

  it('encodes unicode keys segment by segment', () => {
    expect(copySourceFor('b-1', 'dir/café é/x.js')).toBe('b-1/dir/caf%C3%A9%20%C3%A9/x.js');
  });
});

describe('the 200-with-error-body case, through the real SDK', () => {
  /**
   * A real S3Client whose HTTP handler answers the first CopyObject with `200 OK` and an `<Error>`
   * document — what S3 does when a copy fails after it started — and the second with a result. The
   * SDK's throw-200-exceptions middleware turns the first into a 5xx error; the engine retries it.
   */
  it('is detected and retried', async () => {
    const bodies = [
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>',
      '<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>2026-11-23T10:00:00.000Z</LastModified><ETag>"fine"</ETag></CopyObjectResult>',
    ];
    let sent = 0;
    const client = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
      requestHandler: {
        handle: async () => {
          const body = bodies[Math.min(sent, bodies.length - 1)] ?? '';
          sent += 1;
          return {
            response: new HttpResponse({
              statusCode: 200,
              headers: { 'content-type': 'application/xml' },
              body: Readable.from([Buffer.from(body)]),
            }),
          };
        },
      },
    });
    const runner = createRequestRunner(noSleep);
    const result = await copyFile(client, runner, request());
    expect(result.etag).toBe('"fine"');
    expect(sent).toBe(2);
    expect(runner.retries()).toBe(1);
  });
});

describe('copyFile above 5 GB with UploadPartCopy', () => {
  it('splits the object into ranged part copies and completes the upload with the part ETags', async () => {
    const client = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    mock
      .on(UploadPartCopyCommand)
      .callsFake((input) => ({ CopyPartResult: { ETag: `"p${input.PartNumber}"` } }));
    mock.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole-3"' });
    const size = 6 * GiB + 5;
    const partBytes = 3 * GiB;
    let renewals = 0;
    const result = await copyFile(client, createRequestRunner(noSleep), request({ size }), {
      partBytes,
      keepAlive: async () => {
        renewals += 1;
      },
    });
    expect(result.etag).toBe('"whole-3"');
    expect(mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
    const create = mock.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input;
    expect(create).toMatchObject({
      Bucket: 'hosting-1',
      Key: 'assets/my file+1.js',
      ContentType: 'text/javascript; charset=utf-8',
      CacheControl: 'public, max-age=31536000, immutable',
      Metadata: { sha256: 'a'.repeat(64) },
    });
    const parts = mock
      .commandCalls(UploadPartCopyCommand)
      .map((c) => c.args[0].input)
      .sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    expect(parts.map((p) => [p.PartNumber, p.CopySourceRange, p.UploadId, p.CopySource])).toEqual([
      [1, `bytes=0-${3 * GiB - 1}`, 'up-1', 'artifacts-1/builds/abc/site/assets/my%20file%2B1.js'],
      [2, `bytes=${3 * GiB}-${6 * GiB - 1}`, 'up-1', 'artifacts-1/builds/abc/site/assets/my%20file%2B1.js'],
      [3, `bytes=${6 * GiB}-${6 * GiB + 4}`, 'up-1', 'artifacts-1/builds/abc/site/assets/my%20file%2B1.js'],
    ]);
    expect(mock.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload).toEqual({
      Parts: [
        { PartNumber: 1, ETag: '"p1"' },
        { PartNumber: 2, ETag: '"p2"' },
        { PartNumber: 3, ETag: '"p3"' },
      ],
    });
    expect(renewals).toBe(3);
  });

  it('copies exactly 5 GiB with a single CopyObject', async () => {
    const client = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"e"' } });
    await copyFile(client, createRequestRunner(noSleep), request({ size: MAX_COPY_OBJECT_BYTES }));
    expect(mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts the upload when a part fails for good', async () => {
    const client = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-2' });
    mock
      .on(UploadPartCopyCommand)
      .rejects(
        Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      );
    mock.on(AbortMultipartUploadCommand).resolves({});
    await expect(
      copyFile(client, createRequestRunner(noSleep), request({ size: 5 * GiB + 1 }), { partBytes: GiB }),
    ).rejects.toThrow('denied');
    expect(mock.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      UploadId: 'up-2',
    });
    expect(mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('keeps parts within S3 limits for huge objects', () => {
    expect(partSizeFor(6 * GiB)).toBe(512 * 1024 ** 2);
    const huge = 5 * 1024 ** 4;
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(10_000);
  });
});
