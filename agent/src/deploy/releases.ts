import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { createRequestRunner, type RequestRunner, realSleep, s3Failure } from './requests.js';
import { getJson, putJson } from './s3-json.js';
import { type ReleaseRecord, ReleaseRecordSchema } from './schemas.js';

/**
 * Release records (design §4) in the artifacts bucket: `releases/<stack>/current.json` is what is live,
 * `releases/<stack>/history/<iso-time>-<commit>.json` holds every release. History keys sort by time,
 * so a listing gives the order without reading each record.
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

export async function readCurrentRelease(
  s3: S3Client,
  artifactsBucket: string,
  stack: string,
  runner: RequestRunner = createRequestRunner({ sleep: realSleep }),
): Promise<ReleaseRecord | undefined> {
  const found = await getJson(s3, runner, artifactsBucket, currentReleaseKey(stack), ReleaseRecordSchema);
  return found?.value;
}

/** Every recorded release of the stack, newest first. */
export async function listReleases(
  s3: S3Client,
  artifactsBucket: string,
  stack: string,
  runner: RequestRunner = createRequestRunner({ sleep: realSleep }),
): Promise<ReleaseRecord[]> {
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
  const limit = pLimit(8);
  const records = await Promise.all(
    keys.map((key) => limit(() => getJson(s3, runner, artifactsBucket, key, ReleaseRecordSchema))),
  );
  return records.flatMap((r) => (r === undefined ? [] : [r.value]));
}

/**
 * Writes a release: history first, then `current.json`, so `current` never names a release the
 * history lacks. A record rewritten later (to add its tag) keeps its history key.
 */
export async function writeRelease(
  s3: S3Client,
  runner: RequestRunner,
  artifactsBucket: string,
  record: ReleaseRecord,
): Promise<void> {
  const parsed = ReleaseRecordSchema.parse(record);
  try {
    await putJson(s3, runner, artifactsBucket, historyKey(parsed), parsed);
    await putJson(s3, runner, artifactsBucket, currentReleaseKey(parsed.stack), parsed);
  } catch (error) {
    throw s3Failure(error, `writing the release record of ${parsed.stack}`);
  }
}
