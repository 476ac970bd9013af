import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';

const { sandbox } = sandboxPerFile();
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  // One attempt: the SDK must surface each fault as is, not retry it away.
  s3 = sandboxS3Client(sandbox(), { maxAttempts: 1 });
  bucket = sandbox().info.artifactsBucket;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'faults/source.txt', Body: 'source' }));
});
afterEach(() => sandbox().setFaults({ rate: 0 }));
afterAll(() => s3.destroy());

describe('sandbox S3 fault injection, as the SDK sees it', () => {
  it('injected 503s reach the SDK as SlowDown (a throttling error it knows to retry)', async () => {
    sandbox().setFaults({ rate: 1, kinds: ['slowdown'] });
    const error = await s3
      .send(new HeadObjectCommand({ Bucket: bucket, Key: 'faults/source.txt' }))
      .catch((e) => e);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 503 } });
    const put = await s3
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'faults/x.txt', Body: 'x' }))
      .catch((e: unknown) => e);
    expect(put).toMatchObject({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
  });

  it('injects 500 InternalError', async () => {
    sandbox().setFaults({ rate: 1, kinds: ['internal'] });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'faults/source.txt' })),
    ).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
  });

  it('resets the connection without an answer', async () => {
    sandbox().setFaults({ rate: 1, kinds: ['reset'] });
    const error = (await s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: 'faults/source.txt' }))
      .catch((e: unknown) => e)) as { code?: string; message?: string; $metadata?: unknown };
    expect(error.code ?? error.message).toMatch(/ECONNRESET|socket hang up/);
  });

  it('answers CopyObject with 200 and an <Error> body, which the SDK raises as InternalError, and copies nothing', async () => {
    sandbox().setFaults({ rate: 1, kinds: ['copy-error-body'] });
    await expect(
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'faults/copy.txt',
          CopySource: `${bucket}/faults/source.txt`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InternalError' });
    // On the wire it is a 200 (the SDK rewrites the status so that its retry logic sees a server error).
    const raw = await fetch(`${sandbox().info.s3Endpoint}/${bucket}/faults/copy.txt`, {
      method: 'PUT',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/s3/aws4_request',
        'x-amz-copy-source': `${bucket}/faults/source.txt`,
      },
    });
    expect(raw.status).toBe(200);
    expect(await raw.text()).toContain('<Error><Code>InternalError</Code>');
    // Only copies can fail that way: other requests pass while copy-error-body is the only kind.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'faults/put.txt', Body: 'ok' }));
    sandbox().setFaults({ rate: 0 });
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'faults/copy.txt' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('counts failed requests too: they are requests S3 would bill and the engine sent', async () => {
    sandbox().resetRequestCounts();
    sandbox().setFaults({ rate: 1, kinds: ['slowdown'] });
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'faults/source.txt' })).catch(() => undefined);
    expect(sandbox().requestCounts()).toEqual({ HeadObject: 1 });
  });

  it('validates fault settings', () => {
    expect(() => sandbox().setFaults({ rate: 1.5 })).toThrow(/rate/);
    expect(() => sandbox().setLatency(-1)).toThrow(/latency/);
  });
});
