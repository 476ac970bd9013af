import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import { FrontendOpsError } from '../errors.js';
import { formatZodIssues } from '../validation.js';
import { isNotFound, type RequestRunner, s3Failure, transferAllowanceMs } from './requests.js';

/** Reading and writing the engine's JSON documents (manifests, release records, locks) in S3. */
export interface JsonObject<T> {
  value: T;
  etag: string | undefined;
}

/**
 * GETs `key` and parses it with `schema`; undefined when the key does not exist. A document that is
 * not JSON or fails its schema is MANIFEST_INVALID naming the key and the field.
 */
export async function getJson<S extends z.ZodType>(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  key: string,
  schema: S,
): Promise<JsonObject<z.infer<S>> | undefined> {
  let raw: { text: string; etag: string | undefined } | undefined;
  try {
    raw = await runner.run('GetObject', async (abortSignal) => {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      // Reading the body is part of the attempt: a connection reset mid-body is retried as a whole.
      const text = (await response.Body?.transformToString('utf8')) ?? '';
      return { text, etag: response.ETag };
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw s3Failure(error, `reading s3://${bucket}/${key}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.text);
  } catch (cause) {
    throw new FrontendOpsError('MANIFEST_INVALID', `s3://${bucket}/${key} is not valid JSON`, {
      hint: 'The document was truncated or edited by hand; restore it from the history or republish.',
      cause,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new FrontendOpsError(
      'MANIFEST_INVALID',
      `s3://${bucket}/${key}: ${formatZodIssues(parsed.error)}`,
      { hint: 'The document fails its schema; restore it or republish the build.' },
    );
  }
  return { value: parsed.data, etag: raw.etag };
}

export interface PutJsonOptions {
  ifNoneMatch?: '*';
  ifMatch?: string;
}

/** PUTs `value` as JSON; conditional when asked. Returns the new ETag. Errors are rethrown raw. */
export async function putJson(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  key: string,
  value: unknown,
  options: PutJsonOptions = {},
): Promise<string | undefined> {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  const output = await runner.run(
    'PutObject',
    (abortSignal) =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json; charset=utf-8',
          CacheControl: 'no-store',
          ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
          ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch }),
        }),
        { abortSignal },
      ),
    // A 50,000-file release record is megabytes: allow a slow uplink (1 MB/s) on top.
    { extraMs: transferAllowanceMs(Buffer.byteLength(body), 1024 ** 2) },
  );
  return output.ETag;
}
