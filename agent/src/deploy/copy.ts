import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { type RequestRunner, transferAllowanceMs } from './requests.js';
import { assertWritableSiteKeys } from './reserved.js';

/**
 * One server-side copy from the artifacts bucket to the hosting bucket, with the headers re-sent
 * (`MetadataDirective: REPLACE`) and the sha256 stored as object metadata. Objects above CopyObject's
 * 5 GB limit go through a multipart upload of `UploadPartCopy` ranges.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (part limits)
 */
export const MAX_COPY_OBJECT_BYTES = 5 * 1024 ** 3;
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PARTS = 10_000;
export const DEFAULT_PART_BYTES = 512 * 1024 ** 2;
/** User metadata key: S3 returns it as `x-amz-meta-sha256`. */
export const SHA256_METADATA_KEY = 'sha256';

/**
 * A server-side copy's time grows with the object: a second per 20 MB on top of the metadata
 * request's timeout, far below what S3 sustains, so only a request that is really stuck times out.
 * Small copies keep the short timeout, so a dead endpoint fails fast; a big one is never cut short.
 */
export const COPY_BYTES_PER_SECOND = 20 * 1024 ** 2;

export function copyAllowanceMs(bytes: number): number {
  return transferAllowanceMs(bytes, COPY_BYTES_PER_SECOND);
}

export interface CopyFileRequest {
  sourceBucket: string;
  sourceKey: string;
  destinationBucket: string;
  destinationKey: string;
  size: number;
  sha256: string;
  contentType: string;
  cacheControl: string;
  /**
   * The source ETag the preflight verified: the copy is conditional on it
   * (`x-amz-copy-source-if-match`), so a build file replaced after the preflight fails the copy
   * (412) instead of going live unverified.
   */
  sourceEtag?: string | undefined;
}

export interface CopyFileOptions {
  partBytes?: number;
  partConcurrency?: number;
  /** Called between parts of a long multipart copy (lock renewal). */
  keepAlive?: () => Promise<void>;
}

/** `x-amz-copy-source`: bucket/key with each key segment URL-encoded (`+`, spaces, unicode). */
export function copySourceFor(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * A response S3 called a success but that carries no result is treated like the documented
 * "200 with an error body" (which the SDK already turns into a 5xx error, aws-sdk-js-v3 #1657): it is
 * marked retryable with the SDK's own `$retryable` trait so the retry layer tries again.
 */
export function incompleteCopyError(what: string): Error {
  const error = new Error(`${what} answered without a result (ETag); the copy did not complete`) as Error & {
    $retryable: Record<string, never>;
  };
  error.name = 'CopyIncomplete';
  error.$retryable = {};
  return error;
}

export function partSizeFor(size: number, preferred = DEFAULT_PART_BYTES): number {
  return Math.max(MIN_PART_BYTES, preferred, Math.ceil(size / MAX_PARTS));
}

export async function copyFile(
  s3: S3Client,
  runner: RequestRunner,
  request: CopyFileRequest,
  options: CopyFileOptions = {},
): Promise<{ etag: string }> {
  assertWritableSiteKeys(request.destinationBucket, [request.destinationKey], 'overwrite');
  if (request.size > MAX_COPY_OBJECT_BYTES) return multipartCopy(s3, runner, request, options);
  return runner.run(
    'CopyObject',
    async (abortSignal) => {
      const output = await s3.send(
        new CopyObjectCommand({
          Bucket: request.destinationBucket,
          Key: request.destinationKey,
          CopySource: copySourceFor(request.sourceBucket, request.sourceKey),
          ...(request.sourceEtag === undefined ? {} : { CopySourceIfMatch: request.sourceEtag }),
          MetadataDirective: 'REPLACE',
          ContentType: request.contentType,
          CacheControl: request.cacheControl,
          Metadata: { [SHA256_METADATA_KEY]: request.sha256 },
        }),
        { abortSignal },
      );
      const etag = output.CopyObjectResult?.ETag;
      if (!etag) throw incompleteCopyError('CopyObject');
      return { etag };
    },
    { extraMs: copyAllowanceMs(request.size) },
  );
}

async function multipartCopy(
  s3: S3Client,
  runner: RequestRunner,
  request: CopyFileRequest,
  options: CopyFileOptions,
): Promise<{ etag: string }> {
  const created = await runner.run('CreateMultipartUpload', (abortSignal) =>
    s3.send(
      new CreateMultipartUploadCommand({
        Bucket: request.destinationBucket,
        Key: request.destinationKey,
        ContentType: request.contentType,
        CacheControl: request.cacheControl,
        Metadata: { [SHA256_METADATA_KEY]: request.sha256 },
      }),
      { abortSignal },
    ),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw incompleteCopyError('CreateMultipartUpload');
  const partBytes = partSizeFor(request.size, options.partBytes);
  const count = Math.ceil(request.size / partBytes);
  const limit = pLimit(options.partConcurrency ?? 8);
  const copySource = copySourceFor(request.sourceBucket, request.sourceKey);
  try {
    const parts = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        limit(async () => {
          await options.keepAlive?.();
          const start = index * partBytes;
          const end = Math.min(request.size, start + partBytes) - 1;
          return runner.run(
            'UploadPartCopy',
            async (abortSignal) => {
              const output = await s3.send(
                new UploadPartCopyCommand({
                  Bucket: request.destinationBucket,
                  Key: request.destinationKey,
                  UploadId: uploadId,
                  PartNumber: index + 1,
                  CopySource: copySource,
                  ...(request.sourceEtag === undefined ? {} : { CopySourceIfMatch: request.sourceEtag }),
                  CopySourceRange: `bytes=${start}-${end}`,
                }),
                { abortSignal },
              );
              const etag = output.CopyPartResult?.ETag;
              if (!etag) throw incompleteCopyError('UploadPartCopy');
              return { PartNumber: index + 1, ETag: etag };
            },
            { extraMs: copyAllowanceMs(end - start + 1) },
          );
        }),
      ),
    );
    return await runner.run('CompleteMultipartUpload', async (abortSignal) => {
      const output = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: request.destinationBucket,
          Key: request.destinationKey,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        { abortSignal },
      );
      if (!output.ETag) throw incompleteCopyError('CompleteMultipartUpload');
      return { etag: output.ETag };
    });
  } catch (error) {
    // Parts of an abandoned upload are billed until aborted; the original error is what matters.
    await runner
      .run('AbortMultipartUpload', (abortSignal) =>
        s3.send(
          new AbortMultipartUploadCommand({
            Bucket: request.destinationBucket,
            Key: request.destinationKey,
            UploadId: uploadId,
          }),
          { abortSignal },
        ),
      )
      .catch(() => undefined);
    throw error;
  }
}
