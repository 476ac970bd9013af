import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { FrontendOpsError } from '../errors.js';
import {
  createRequestRunner,
  isNotFound,
  isPreconditionFailed,
  type RequestRunner,
  realSleep,
  s3ErrorName,
  s3Failure,
} from './requests.js';
import { getJson, putJson } from './s3-json.js';
import { type ReleaseEntry, ReleaseEntrySchema, type ReleaseRecord, ReleaseRecordSchema } from './schemas.js';

/**
 * Release records in the artifacts bucket. `releases/<stack>/current.json` is the release journal: the
 * release that is live or being made live, with its full file list. Every write to it is a
 * compare-and-swap on its ETag (`writeJournal`), so a deployer that lost the lock can never overwrite
 * the journal of the one that took it. `releases/<stack>/history/<iso-time>-<commit>.json` holds one
 * entry per release (the record without its file lists); history keys sort by time, so a listing
 * gives the order without reading each entry.
 */
export function currentReleaseKey(stack: string): string {
  return `releases/${stack}/current.json`;
}

export function historyPrefix(stack: string): string {
  return `releases/${stack}/history/`;
}

export function historyKey(record: Pick<ReleaseRecord, 'stack' | 'startedAt' | 'commit'>): string {
  return `${historyPrefix(record.stack)}${new Date(record.startedAt).toISOString()}-${record.commit}.json`;
}

/** `20261123T101500.123Z-1a2b3c4d5e6f`: sortable, and safe in keys, tags and URLs. */
export function releaseIdFor(startedAt: Date, commit: string): string {
  return `${startedAt.toISOString().replace(/[-:]/g, '')}-${commit.slice(0, 12)}`;
}

export interface Journal {
  record: ReleaseRecord;
  /** current.json's ETag: the next journal write is conditional on it. */
  etag: string;
}

export async function readJournal(
  s3: S3Client,
  runner: RequestRunner,
  artifactsBucket: string,
  stack: string,
): Promise<Journal | undefined> {
  const found = await getJson(s3, runner, artifactsBucket, currentReleaseKey(stack), ReleaseRecordSchema);
  if (found === undefined) return undefined;
  if (found.etag === undefined) {
    throw new FrontendOpsError('S3_ERROR', `S3 returned no ETag for ${currentReleaseKey(stack)}`, {
      hint: 'The release journal needs conditional writes (ETag, If-Match); check the S3 endpoint.',
    });
  }
  return { record: found.value, etag: found.etag };
}

export async function readCurrentRelease(
  s3: S3Client,
  artifactsBucket: string,
  stack: string,
  runner: RequestRunner = createRequestRunner({ sleep: realSleep }),
): Promise<ReleaseRecord | undefined> {
  return (await readJournal(s3, runner, artifactsBucket, stack))?.record;
}

function serialise(record: ReleaseRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

async function readText(s3: S3Client, runner: RequestRunner, bucket: string, key: string) {
  try {
    return await runner.run('GetObject', async (abortSignal) => {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      return { text: (await response.Body?.transformToString('utf8')) ?? '', etag: response.ETag };
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw s3Failure(error, `reading s3://${bucket}/${key}`);
  }
}

function journalChanged(stack: string): FrontendOpsError {
  return new FrontendOpsError(
    'LOCK_LOST',
    `the release journal of ${stack} was changed by another deployer; this deploy stopped`,
    {
      hint: 'Another deploy holds the stack now (this one lost its lock). `frontendops status` shows the stack.',
    },
  );
}

/**
 * `writeJournal`: writes current.json only if it is still the version this deployer last read or
 * wrote (`If-Match`), or absent (`If-None-Match: *`) when there was none. Returns the new ETag. A
 * failed condition is LOCK_LOST — unless the journal already holds exactly this record, which is a
 * retried write whose first attempt landed.
 */
export async function writeJournal(
  s3: S3Client,
  runner: RequestRunner,
  artifactsBucket: string,
  record: ReleaseRecord,
  expectedEtag: string | null,
  validated?: WeakSet<object>,
): Promise<string> {
  const parsed = parseRecord(record, validated);
  const key = currentReleaseKey(parsed.stack);
  try {
    const etag = await putJson(
      s3,
      runner,
      artifactsBucket,
      key,
      parsed,
      expectedEtag === null ? { ifNoneMatch: '*' } : { ifMatch: expectedEtag },
    );
    if (etag === undefined) throw new Error('PutObject answered without an ETag');
    return etag;
  } catch (error) {
    const conflict =
      isPreconditionFailed(error) || isNotFound(error) || s3ErrorName(error) === 'ConditionalRequestConflict';
    if (!conflict) throw s3Failure(error, `writing the release journal s3://${artifactsBucket}/${key}`);
    const seen = await readText(s3, runner, artifactsBucket, key);
    if (seen?.etag !== undefined && seen.text === serialise(parsed)) return seen.etag;
    throw journalChanged(parsed.stack);
  }
}

/**
 * The record as the journal stores it, validated. A run rewrites its record as steps complete, mostly
 * with the same file lists (thousands of entries): lists in `validated` were checked in an earlier
 * write of this run and are not parsed again; the rest of the record always is.
 */
function parseRecord(record: ReleaseRecord, validated: WeakSet<object> | undefined): ReleaseRecord {
  if (validated?.has(record.files) && validated.has(record.retained)) {
    const rest = ReleaseRecordSchema.parse({ ...record, files: [], retained: [] });
    return { ...rest, files: record.files, retained: record.retained };
  }
  const parsed = ReleaseRecordSchema.parse(record);
  for (const list of [record.files, record.retained]) if (Array.isArray(list)) validated?.add(list);
  return parsed;
}

/** The history entry of a record: everything but its file lists. */
export function releaseEntryOf(record: ReleaseRecord): ReleaseEntry {
  return ReleaseEntrySchema.parse(record);
}

/** Writes (or rewrites) the history entry of a release; its key never changes. */
export async function writeHistoryEntry(
  s3: S3Client,
  runner: RequestRunner,
  artifactsBucket: string,
  entry: ReleaseEntry,
): Promise<void> {
  await putJson(s3, runner, artifactsBucket, historyKey(entry), ReleaseEntrySchema.parse(entry)).catch(
    (error: unknown) => {
      throw s3Failure(error, `writing the release history of ${entry.stack}`);
    },
  );
}

/** Recorded releases of the stack, newest first; the newest `limit` when given. */
export async function listReleases(
  s3: S3Client,
  artifactsBucket: string,
  stack: string,
  runner: RequestRunner = createRequestRunner({ sleep: realSleep }),
  limit?: number,
): Promise<ReleaseEntry[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await runner
      .run('ListObjectsV2', (abortSignal) =>
        s3.send(
          new ListObjectsV2Command({
            Bucket: artifactsBucket,
            Prefix: historyPrefix(stack),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          { abortSignal },
        ),
      )
      .catch((error: unknown) => {
        throw s3Failure(error, `listing s3://${artifactsBucket}/${historyPrefix(stack)}`);
      });
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  keys.sort().reverse();
  const wanted = limit === undefined ? keys : keys.slice(0, limit);
  const concurrency = pLimit(20);
  const entries = await Promise.all(
    wanted.map((key) => concurrency(() => getJson(s3, runner, artifactsBucket, key, ReleaseEntrySchema))),
  );
  return entries.flatMap((r) => (r === undefined ? [] : [r.value]));
}
