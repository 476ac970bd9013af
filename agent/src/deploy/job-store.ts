import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { FrontendOpsError } from '../errors.js';
import { formatZodIssues } from '../validation.js';
import {
  JOBS_PREFIX,
  type JobRecord,
  JobRecordSchema,
  jobIdOfKey,
  jobKey,
  jobKeyName,
} from './job-schema.js';
import { isNotFound, isPreconditionFailed, type RequestRunner, s3ErrorName, s3Failure } from './requests.js';
import { putJson } from './s3-json.js';

/**
 * Where deploy jobs live: one object per job, written only with conditional writes — created with
 * `If-None-Match: *`, replaced with `If-Match` on the ETag the writer last saw. Reads also report S3's
 * own clock (the object's Last-Modified and the response's Date), because a job's lease is judged by
 * it, never by an instance's clock. The agent only needs these four operations; S3 provides them.
 */
export interface JobObject {
  job: JobRecord;
  etag: string;
  /** S3's clock: when the job was last written. */
  lastModified: Date | undefined;
  /** S3's clock: when S3 answered this read. */
  serverDate: Date | undefined;
}

export type CreateJobResult = { created: true; etag: string } | { created: false };
export type ReplaceJobResult = { ok: true; etag: string } | { ok: false; reason: 'changed' | 'gone' };

export interface JobPage {
  /** Newest first. */
  jobIds: string[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

export interface JobStore {
  /** `s3://bucket/jobs/`, for messages. */
  readonly where: string;
  create(job: JobRecord): Promise<CreateJobResult>;
  read(stack: string, jobId: string): Promise<JobObject | undefined>;
  replace(job: JobRecord, etag: string): Promise<ReplaceJobResult>;
  /** One page of a stack's job ids, newest first, after the cursor `after` (a key name). */
  list(stack: string, options: { after?: string; limit: number }): Promise<JobPage>;
}

/** HTTP dates have whole seconds: allow for the rounding of Last-Modified and Date. */
const CLOCK_GRANULARITY_MS = 1000;

/** How long ago (by S3's clock) the job was last written; undefined when S3 did not say. */
export function jobAgeMs(object: Pick<JobObject, 'lastModified' | 'serverDate'>): number | undefined {
  if (object.lastModified === undefined || object.serverDate === undefined) return undefined;
  return Math.max(0, object.serverDate.getTime() - object.lastModified.getTime());
}

/**
 * A running job whose instance stopped renewing it: its last write is older than its lease, by S3's
 * clock. A job whose age S3 did not report is never judged expired (it is waited on, not taken over).
 */
export function isJobLeaseExpired(object: Pick<JobObject, 'job' | 'lastModified' | 'serverDate'>): boolean {
  const age = jobAgeMs(object);
  return age !== undefined && age > object.job.leaseSeconds * 1000 + CLOCK_GRANULARITY_MS;
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** A GetObject whose answer keeps S3's `Date` header (the SDK does not surface it). */
function getWithServerDate(bucket: string, key: string) {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key });
  let date: string | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      date = (result.response as { headers?: Record<string, string | undefined> } | undefined)?.headers?.date;
      return result;
    },
    { step: 'deserialize', name: 'frontendopsJobServerDate' },
  );
  return { command, serverDate: () => parseDate(date) };
}

/** S3 answers 409 ConditionalRequestConflict when two conditional writes on a key race. */
function lostRace(error: unknown): boolean {
  return isPreconditionFailed(error) || s3ErrorName(error) === 'ConditionalRequestConflict';
}

/** Our own earlier attempt of this very write (a retry after a reset whose first attempt landed). */
function isOwnWrite(seen: JobObject | undefined, job: JobRecord): seen is JobObject {
  return (
    seen !== undefined &&
    seen.job.jobId === job.jobId &&
    seen.job.writer === job.writer &&
    seen.job.revision === job.revision
  );
}

export function s3JobStore(s3: S3Client, runner: RequestRunner, bucket: string): JobStore {
  const where = `s3://${bucket}/${JOBS_PREFIX}`;

  async function read(stack: string, jobId: string): Promise<JobObject | undefined> {
    const key = jobKey(stack, jobId);
    let raw: { text: string; etag?: string; lastModified?: Date; serverDate?: Date };
    try {
      raw = await runner.run('GetObject', async (abortSignal) => {
        const { command, serverDate } = getWithServerDate(bucket, key);
        const response = await s3.send(command, { abortSignal });
        const text = (await response.Body?.transformToString('utf8')) ?? '';
        const date = serverDate();
        return {
          text,
          ...(response.ETag === undefined ? {} : { etag: response.ETag }),
          ...(response.LastModified === undefined ? {} : { lastModified: response.LastModified }),
          ...(date === undefined ? {} : { serverDate: date }),
        };
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw s3Failure(error, `reading the deploy job s3://${bucket}/${key}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.text);
    } catch {
      json = undefined;
    }
    const parsed = JobRecordSchema.safeParse(json);
    if (!parsed.success) {
      throw new FrontendOpsError(
        'MANIFEST_INVALID',
        `s3://${bucket}/${key} is not a deploy job: ${formatZodIssues(parsed.error)}`,
        { hint: 'The job record was edited or truncated by hand; `frontendops history` lists the releases.' },
      );
    }
    if (raw.etag === undefined) {
      throw new FrontendOpsError('S3_ERROR', `S3 returned no ETag for s3://${bucket}/${key}`, {
        hint: 'Deploy jobs need conditional writes (ETag, If-Match); check the S3 endpoint.',
      });
    }
    return { job: parsed.data, etag: raw.etag, lastModified: raw.lastModified, serverDate: raw.serverDate };
  }

  return {
    where,
    read,
    async create(job) {
      const key = jobKey(job.stack, job.jobId);
      try {
        const etag = await putJson(s3, runner, bucket, key, job, { ifNoneMatch: '*' });
        if (etag === undefined) throw new Error('PutObject answered without an ETag');
        return { created: true, etag };
      } catch (error) {
        if (!lostRace(error)) throw s3Failure(error, `creating the deploy job s3://${bucket}/${key}`);
        const seen = await read(job.stack, job.jobId);
        return isOwnWrite(seen, job) ? { created: true, etag: seen.etag } : { created: false };
      }
    },
    async replace(job, etag) {
      const key = jobKey(job.stack, job.jobId);
      try {
        const next = await putJson(s3, runner, bucket, key, job, { ifMatch: etag });
        if (next === undefined) throw new Error('PutObject answered without an ETag');
        return { ok: true, etag: next };
      } catch (error) {
        if (isNotFound(error)) return { ok: false, reason: 'gone' };
        if (!lostRace(error)) throw s3Failure(error, `writing the deploy job s3://${bucket}/${key}`);
        const seen = await read(job.stack, job.jobId);
        if (isOwnWrite(seen, job)) return { ok: true, etag: seen.etag };
        return { ok: false, reason: seen === undefined ? 'gone' : 'changed' };
      }
    },
    async list(stack, { after, limit }) {
      const prefix = `${JOBS_PREFIX}${stack}/`;
      let output: { keys: string[]; truncated: boolean };
      try {
        output = await runner.run('ListObjectsV2', async (abortSignal) => {
          const response = await s3.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              MaxKeys: limit,
              ...(after === undefined ? {} : { StartAfter: `${prefix}${after}.json` }),
            }),
            { abortSignal },
          );
          return {
            keys: (response.Contents ?? []).map((o) => o.Key ?? ''),
            truncated: response.IsTruncated === true,
          };
        });
      } catch (error) {
        throw s3Failure(error, `listing the deploy jobs ${where}${stack}/`);
      }
      const jobIds = output.keys.map(jobIdOfKey).filter((id): id is string => id !== undefined);
      const last = jobIds[jobIds.length - 1];
      return { jobIds, ...(output.truncated && last !== undefined ? { next: jobKeyName(last) } : {}) };
    },
  };
}
