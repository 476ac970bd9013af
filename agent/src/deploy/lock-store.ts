import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FrontendOpsError } from '../errors.js';
import { formatZodIssues } from '../validation.js';
import { isNotFound, isPreconditionFailed, type RequestRunner, s3ErrorName, s3Failure } from './requests.js';
import { putJson } from './s3-json.js';
import { type DeployLock, DeployLockSchema } from './schemas.js';

/**
 * Where the deploy lock lives: one object with conditional writes. The lock protocol (lock.ts) only
 * needs these four operations, each atomic on the store's side; S3 provides them with `If-None-Match`
 * and `If-Match` on PutObject and DeleteObject. The store also reports S3's own clock — the object's
 * `Last-Modified` and the response's `Date` — because lock expiry is judged by it, never by a
 * deployer's clock.
 */
export interface LockObject {
  lock: DeployLock;
  etag: string;
  /** S3's clock: when the lock was last written. */
  lastModified: Date | undefined;
  /** S3's clock: when S3 answered this read (the HTTP `Date` header). */
  serverDate: Date | undefined;
}

export type ReplaceResult = { ok: true; etag: string } | { ok: false; reason: 'changed' | 'gone' };
export type RemoveResult = 'deleted' | 'changed' | 'gone';

export interface LockStore {
  /** `s3://bucket/key`, for messages. */
  readonly where: string;
  read(): Promise<LockObject | undefined>;
  /** Creates the lock unless one exists (`If-None-Match: *`). */
  create(lock: DeployLock): Promise<{ created: true; etag: string } | { created: false }>;
  /** Replaces the lock only if its ETag is still `etag` (`If-Match`). */
  replace(lock: DeployLock, etag: string): Promise<ReplaceResult>;
  /** Deletes the lock only if its ETag is still `etag` (`If-Match`). */
  remove(etag: string): Promise<RemoveResult>;
}

export function lockKey(stack: string): string {
  return `locks/${stack}.json`;
}

/** S3 answers 409 ConditionalRequestConflict when two conditional writes on a key race. */
function isConditionalConflict(error: unknown): boolean {
  return s3ErrorName(error) === 'ConditionalRequestConflict';
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

interface RawHttpResponse {
  headers?: Record<string, string | undefined>;
}

/**
 * A GetObject whose answer also carries S3's `Date` header. The SDK does not surface it, so a
 * deserialize-step middleware on this one command reads it from the raw response.
 */
function getObjectWithServerDate(bucket: string, key: string) {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key });
  const seen: { date?: string } = {};
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      seen.date = (result.response as RawHttpResponse | undefined)?.headers?.date;
      return result;
    },
    { step: 'deserialize', name: 'frontendopsServerDate' },
  );
  return { command, serverDate: () => parseDate(seen.date) };
}

export function s3LockStore(s3: S3Client, runner: RequestRunner, bucket: string, stack: string): LockStore {
  const key = lockKey(stack);
  const where = `s3://${bucket}/${key}`;
  return {
    where,
    async read() {
      let raw: { text: string; etag?: string; lastModified?: Date; serverDate?: Date };
      try {
        raw = await runner.run('GetObject', async (abortSignal) => {
          const { command, serverDate } = getObjectWithServerDate(bucket, key);
          const response = await s3.send(command, { abortSignal });
          const text = (await response.Body?.transformToString('utf8')) ?? '';
          return {
            text,
            ...(response.ETag === undefined ? {} : { etag: response.ETag }),
            ...(response.LastModified === undefined ? {} : { lastModified: response.LastModified }),
            ...(serverDate() === undefined ? {} : { serverDate: serverDate() }),
          };
        });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw s3Failure(error, `reading the deploy lock ${where}`);
      }
      let parsed: ReturnType<typeof DeployLockSchema.safeParse>;
      try {
        parsed = DeployLockSchema.safeParse(JSON.parse(raw.text));
      } catch {
        parsed = DeployLockSchema.safeParse(undefined);
      }
      if (!parsed.success) {
        throw new FrontendOpsError(
          'MANIFEST_INVALID',
          `${where} is not a deploy lock: ${formatZodIssues(parsed.error)}`,
          {
            hint: `Remove it with \`frontendops unlock --stack ${stack} --force\` once no deploy runs.`,
          },
        );
      }
      if (raw.etag === undefined) {
        throw new FrontendOpsError('S3_ERROR', `S3 returned no ETag for ${where}`, {
          hint: 'The lock needs conditional writes (ETag, If-Match); check the S3 endpoint.',
        });
      }
      return {
        lock: parsed.data,
        etag: raw.etag,
        lastModified: raw.lastModified,
        serverDate: raw.serverDate,
      };
    },
    async create(lock) {
      try {
        const etag = await putJson(s3, runner, bucket, key, lock, { ifNoneMatch: '*' });
        if (etag === undefined) throw new Error('PutObject answered without an ETag');
        return { created: true, etag };
      } catch (error) {
        if (isPreconditionFailed(error) || isConditionalConflict(error)) return { created: false };
        throw s3Failure(error, `creating the deploy lock ${where}`);
      }
    },
    async replace(lock, etag) {
      try {
        const next = await putJson(s3, runner, bucket, key, lock, { ifMatch: etag });
        if (next === undefined) throw new Error('PutObject answered without an ETag');
        return { ok: true, etag: next };
      } catch (error) {
        if (isPreconditionFailed(error) || isConditionalConflict(error))
          return { ok: false, reason: 'changed' };
        if (isNotFound(error)) return { ok: false, reason: 'gone' };
        throw s3Failure(error, `writing the deploy lock ${where}`);
      }
    },
    async remove(etag) {
      try {
        await runner.run('DeleteObject', (abortSignal) =>
          s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }), { abortSignal }),
        );
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'gone';
        if (isPreconditionFailed(error) || isConditionalConflict(error)) return 'changed';
        throw s3Failure(error, `deleting the deploy lock ${where}`);
      }
    },
  };
}
