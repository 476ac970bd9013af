import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * An in-memory S3 behind `aws-sdk-client-mock`, for engine unit tests: the commands the engine uses,
 * with S3's conditional-write rules, ETags (quoted MD5) and user metadata. `fail` injects errors per
 * call, so retries and failure paths are tested without a network.
 */
export interface FakeObject {
  body: Buffer;
  etag: string;
  contentType?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

export interface FakeCall {
  operation: string;
  bucket: string;
  key?: string;
}

export type FailureHook = (call: FakeCall, input: Record<string, unknown>) => Error | undefined;

export function s3Error(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function toBuffer(body: unknown): Buffer {
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw new Error('the fake S3 takes string or byte bodies');
}

export class FakeS3 {
  readonly client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  readonly buckets = new Map<string, Map<string, FakeObject>>();
  readonly calls: FakeCall[] = [];
  fail: FailureHook | undefined;
  /** Runs before each call completes; lets a test act "during" a deploy (e.g. at a given copy). */
  onCall: ((call: FakeCall) => void) | undefined;

  constructor(bucketNames: readonly string[]) {
    for (const name of bucketNames) this.buckets.set(name, new Map());
    const mock = mockClient(this.client);
    mock.on(GetObjectCommand).callsFake((input) => this.getObject(input));
    mock.on(PutObjectCommand).callsFake((input) => this.putObject(input));
    mock.on(CopyObjectCommand).callsFake((input) => this.copyObject(input));
    mock.on(ListObjectsV2Command).callsFake((input) => this.list(input));
    mock.on(DeleteObjectCommand).callsFake((input) => this.deleteObject(input));
    mock.on(DeleteObjectsCommand).callsFake((input) => this.deleteObjects(input));
  }

  bucket(name: string): Map<string, FakeObject> {
    const bucket = this.buckets.get(name);
    if (!bucket) throw s3Error('NoSuchBucket', 404);
    return bucket;
  }

  put(
    bucket: string,
    key: string,
    body: string | Buffer,
    extra: Omit<FakeObject, 'body' | 'etag'> = {},
  ): FakeObject {
    const buffer = toBuffer(body);
    const object = { body: buffer, etag: etagOf(buffer), ...extra };
    this.bucket(bucket).set(key, object);
    return object;
  }

  text(bucket: string, key: string): string | undefined {
    return this.buckets.get(bucket)?.get(key)?.body.toString('utf8');
  }

  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  private enter(
    operation: string,
    bucket: string,
    key: string | undefined,
    input: Record<string, unknown>,
  ): void {
    const call = { operation, bucket, ...(key === undefined ? {} : { key }) };
    this.calls.push(call);
    this.onCall?.(call);
    const error = this.fail?.(call, input);
    if (error) throw error;
  }

  private checkWrite(bucket: string, key: string, input: { IfNoneMatch?: string; IfMatch?: string }): void {
    const existing = this.bucket(bucket).get(key);
    if (input.IfNoneMatch === '*' && existing) throw s3Error('PreconditionFailed', 412);
    if (input.IfMatch !== undefined) {
      if (!existing) throw s3Error('NoSuchKey', 404);
      if (existing.etag !== input.IfMatch) throw s3Error('PreconditionFailed', 412);
    }
  }

  private async getObject(input: { Bucket?: string; Key?: string }) {
    this.enter('GetObject', input.Bucket!, input.Key, input);
    const object = this.bucket(input.Bucket!).get(input.Key!);
    if (!object) throw s3Error('NoSuchKey', 404);
    const body = object.body;
    return {
      ETag: object.etag,
      ContentType: object.contentType,
      CacheControl: object.cacheControl,
      Metadata: object.metadata,
      Body: { transformToString: async () => body.toString('utf8') },
    } as never;
  }

  private async putObject(input: {
    Bucket?: string;
    Key?: string;
    Body?: unknown;
    IfNoneMatch?: string;
    IfMatch?: string;
    ContentType?: string;
    CacheControl?: string;
    Metadata?: Record<string, string>;
  }) {
    this.enter('PutObject', input.Bucket!, input.Key, input);
    this.checkWrite(input.Bucket!, input.Key!, input);
    const object = this.put(input.Bucket!, input.Key!, toBuffer(input.Body ?? ''), {
      ...(input.ContentType === undefined ? {} : { contentType: input.ContentType }),
      ...(input.CacheControl === undefined ? {} : { cacheControl: input.CacheControl }),
      ...(input.Metadata === undefined ? {} : { metadata: input.Metadata }),
    });
    return { ETag: object.etag };
  }

  private async copyObject(input: {
    Bucket?: string;
    Key?: string;
    CopySource?: string;
    CopySourceIfMatch?: string;
    MetadataDirective?: string;
    ContentType?: string;
    CacheControl?: string;
    Metadata?: Record<string, string>;
  }) {
    this.enter('CopyObject', input.Bucket!, input.Key, input);
    const source = input.CopySource ?? '';
    const slash = source.indexOf('/');
    const sourceBucket = source.slice(0, slash);
    const sourceKey = source
      .slice(slash + 1)
      .split('/')
      .map(decodeURIComponent)
      .join('/');
    const object = this.bucket(sourceBucket).get(sourceKey);
    if (!object) throw s3Error('NoSuchKey', 404);
    if (input.CopySourceIfMatch !== undefined && input.CopySourceIfMatch !== object.etag) {
      throw s3Error('PreconditionFailed', 412);
    }
    const replace = input.MetadataDirective === 'REPLACE';
    const copy: FakeObject = {
      body: object.body,
      etag: object.etag,
      ...(replace
        ? {
            ...(input.ContentType === undefined ? {} : { contentType: input.ContentType }),
            ...(input.CacheControl === undefined ? {} : { cacheControl: input.CacheControl }),
            ...(input.Metadata === undefined ? {} : { metadata: input.Metadata }),
          }
        : {}),
    };
    this.bucket(input.Bucket!).set(input.Key!, copy);
    return { CopyObjectResult: { ETag: copy.etag } };
  }

  private async list(input: {
    Bucket?: string;
    Prefix?: string;
    ContinuationToken?: string;
    MaxKeys?: number;
    StartAfter?: string;
  }) {
    this.enter('ListObjectsV2', input.Bucket!, undefined, input);
    const pageSize = input.MaxKeys ?? 1000;
    // As S3 does, the token names where the last page ended; StartAfter counts on the first page only.
    const after =
      input.ContinuationToken === undefined
        ? input.StartAfter
        : Buffer.from(input.ContinuationToken, 'base64url').toString('utf8');
    const keys = [...this.bucket(input.Bucket!).keys()]
      .filter((k) => k.startsWith(input.Prefix ?? '') && (after === undefined || k > after))
      .sort();
    const page = keys.slice(0, pageSize);
    const truncated = pageSize < keys.length;
    return {
      Contents: page.map((key) => {
        const object = this.bucket(input.Bucket!).get(key)!;
        return { Key: key, Size: object.body.length, ETag: object.etag };
      }),
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: Buffer.from(page.at(-1)!).toString('base64url') } : {}),
    };
  }

  private async deleteObject(input: { Bucket?: string; Key?: string; IfMatch?: string }) {
    this.enter('DeleteObject', input.Bucket!, input.Key, input);
    this.checkWrite(input.Bucket!, input.Key!, input);
    this.bucket(input.Bucket!).delete(input.Key!);
    return {};
  }

  private async deleteObjects(input: { Bucket?: string; Delete?: { Objects?: Array<{ Key?: string }> } }) {
    this.enter('DeleteObjects', input.Bucket!, undefined, input);
    for (const object of input.Delete?.Objects ?? []) this.bucket(input.Bucket!).delete(object.Key!);
    return { Deleted: input.Delete?.Objects ?? [] };
  }
}
