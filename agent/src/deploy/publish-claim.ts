import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { FrontendOpsError } from '../errors.js';
import { formatZodIssues } from '../validation.js';
import { isNotFound, isPreconditionFailed, type RequestRunner, s3ErrorName, s3Failure } from './requests.js';
import { captureServerDate, isExpiredByServerClock, type ServerTimes } from './s3-clock.js';
import { putJson } from './s3-json.js';
import { CommitShaSchema, Sha256Schema } from './schemas.js';
import { buildManifestKeyFor, type SyncCommand } from './sync-command.js';

/**
 * The per-commit publish claim: `builds/<commit>/publish.json`, beside `build.json`. Only the holder
 * uploads a commit's files, so two publishers of one commit never interleave their uploads: the other
 * one waits until `build.json` appears (then it compares: identical is a no-op, different is
 * BUILD_EXISTS) or the claim frees up. A claim is created with `If-None-Match: *`; renewal, release
 * and the takeover of an expired claim are conditional on its ETag (`If-Match`). Expiry is judged by
 * S3's clock (the claim's Last-Modified against the response's Date), never by a publisher's own, so
 * a crashed publish can be redone once its claim is `ttlSeconds` old, and a fast clock steals nothing.
 * The claim lives under `builds/`, the only prefix the build role may write, which has no delete
 * right: a finished publish marks its claim released instead of deleting it.
 */
export const PublishClaimSchema = z
  .object({
    schema: z.literal(1),
    claimId: z.string().min(8).max(128),
    commit: CommitShaSchema,
    owner: z.string().min(1).max(300),
    ttlSeconds: z.number().int().min(1).max(86_400),
    /** Digest of the content being published (paths, sizes, sha256s): lets a waiter say what it waits for. */
    digest: Sha256Schema,
    /** The holder's clock, for people reading the claim; expiry never uses it. */
    acquiredAt: z.iso.datetime({ offset: true }),
    /** Incremented by each renewal, so a retried renewal recognises its own write. */
    renewal: z.number().int().min(0),
    released: z.boolean(),
  })
  .strict();
export type PublishClaim = z.infer<typeof PublishClaimSchema>;

export const DEFAULT_CLAIM_TTL_SECONDS = 300;

/** `builds/<commit>/publish.json` (or `builds/<commit>.publish.json` beside `<commit>.build.json`). */
export function publishClaimKeyFor(sync: SyncCommand, commit: string): string {
  return buildManifestKeyFor(sync, commit).replace(/build\.json$/, 'publish.json');
}

export interface StoredClaim {
  claim: PublishClaim;
  etag: string | undefined;
  times: ServerTimes;
}

/** Free: released by its holder, or not renewed for `ttlSeconds` by S3's clock. Pure. */
export function isClaimFree(stored: StoredClaim): boolean {
  return stored.claim.released || isExpiredByServerClock(stored.times, stored.claim.ttlSeconds);
}

export interface ClaimDeps {
  s3: S3Client;
  runner: RequestRunner;
  sleep: (ms: number) => Promise<void>;
  /** Local monotonic-enough time, only for "is a renewal due" and "how long have I waited". */
  elapsedMs: () => number;
  /** Told when the claim is held by another publisher and this one waits. */
  onWait?: (holder: PublishClaim) => void;
}

export interface ClaimRequest {
  bucket: string;
  key: string;
  claim: Omit<PublishClaim, 'renewal' | 'released'>;
  /** How often a waiting publisher looks again. */
  pollMs: number;
  /** How long to wait for a live holder before PUBLISH_IN_PROGRESS. */
  maxWaitMs: number;
}

export interface ClaimHandle {
  /** Renews when a third of the TTL has passed (`force`: now — a fence before an irreversible step). */
  keepAlive(force?: boolean): Promise<void>;
  /** Marks the claim released (best effort) and stops renewing. */
  release(): Promise<void>;
}

async function readClaim(deps: ClaimDeps, bucket: string, key: string): Promise<StoredClaim | undefined> {
  let raw: { text: string; etag: string | undefined; times: ServerTimes };
  try {
    raw = await deps.runner.run('GetObject', async (abortSignal) => {
      const command = new GetObjectCommand({ Bucket: bucket, Key: key });
      const clock = captureServerDate(command);
      const output = await deps.s3.send(command, { abortSignal });
      const text = (await output.Body?.transformToString('utf8')) ?? '';
      return { text, etag: output.ETag, times: clock.times(output) };
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw s3Failure(error, `reading the publish claim s3://${bucket}/${key}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.text);
  } catch {
    json = undefined;
  }
  const parsed = PublishClaimSchema.safeParse(json);
  if (!parsed.success) {
    throw new FrontendOpsError(
      'MANIFEST_INVALID',
      `the publish claim s3://${bucket}/${key} is not a valid claim${json === undefined ? ' (not JSON)' : `: ${formatZodIssues(parsed.error)}`}`,
      { hint: 'Only `frontendops publish` writes this file; remove it if it was written by hand.' },
    );
  }
  return { claim: parsed.data, etag: raw.etag, times: raw.times };
}

function isRace(error: unknown): boolean {
  return (
    isPreconditionFailed(error) || isNotFound(error) || s3ErrorName(error) === 'ConditionalRequestConflict'
  );
}

function heldBy(claim: PublishClaim): string {
  return `${claim.owner} (since ${claim.acquiredAt})`;
}

/**
 * Takes the claim, or resolves `{ done }` as soon as `checkDone` reports the commit published by
 * someone else (it is asked before every attempt, and once more after the claim is taken, since a
 * holder writes `build.json` before releasing).
 */
export async function acquirePublishClaim<T>(
  deps: ClaimDeps,
  request: ClaimRequest,
  checkDone: () => Promise<T | undefined>,
): Promise<{ handle: ClaimHandle } | { done: T }> {
  const { bucket, key } = request;
  const where = `s3://${bucket}/${key}`;
  const started = deps.elapsedMs();
  const mine: PublishClaim = { ...request.claim, renewal: 0, released: false };
  let announced: string | undefined;

  const take = async (ifMatch: string | undefined): Promise<string | undefined | 'lost'> => {
    try {
      return await putJson(
        deps.s3,
        deps.runner,
        bucket,
        key,
        mine,
        ifMatch === undefined ? { ifNoneMatch: '*' } : { ifMatch },
      );
    } catch (error) {
      if (isRace(error)) return 'lost';
      throw s3Failure(error, `taking the publish claim ${where}`);
    }
  };

  for (;;) {
    const done = await checkDone();
    if (done !== undefined) return { done };
    let etag = await take(undefined);
    if (etag === 'lost') {
      const stored = await readClaim(deps, bucket, key);
      if (stored === undefined) continue; // gone between our PUT and GET: race again
      if (stored.claim.claimId === mine.claimId) {
        etag = stored.etag; // a retried PUT whose first attempt landed
      } else if (isClaimFree(stored) && stored.etag !== undefined) {
        etag = await take(stored.etag);
        if (etag === 'lost') continue;
      } else {
        if (deps.elapsedMs() - started >= request.maxWaitMs) {
          throw new FrontendOpsError(
            'PUBLISH_IN_PROGRESS',
            `commit ${mine.commit} is being published by ${heldBy(stored.claim)}; waited ${Math.round((deps.elapsedMs() - started) / 1000)} s`,
            {
              hint: 'Run `frontendops publish DIR --commit SHA` again once that publish has finished (or its claim has expired).',
              data: { holder: stored.claim },
            },
          );
        }
        if (announced !== stored.claim.claimId) {
          announced = stored.claim.claimId;
          deps.onWait?.(stored.claim);
        }
        await deps.sleep(request.pollMs);
        continue;
      }
    }
    const handle = claimHandle(deps, request, mine, etag);
    // The previous holder writes build.json before it releases: look once more, now that we hold it.
    let after: T | undefined;
    try {
      after = await checkDone();
    } catch (error) {
      await handle.release();
      throw error;
    }
    if (after !== undefined) {
      await handle.release();
      return { done: after };
    }
    return { handle };
  }
}

function claimHandle(
  deps: ClaimDeps,
  request: ClaimRequest,
  initial: PublishClaim,
  initialEtag: string | undefined,
): ClaimHandle {
  const { bucket, key } = request;
  let current = initial;
  let etag = initialEtag;
  let renewedAt = deps.elapsedMs();
  let renewing: Promise<void> | undefined;
  let lost: FrontendOpsError | undefined;
  let released = false;
  const renewEveryMs = (current.ttlSeconds * 1000) / 3;

  const lostError = (detail: string) =>
    new FrontendOpsError(
      'LOCK_LOST',
      `the publish claim of ${current.commit} was lost: ${detail}; this publish stopped and wrote no build.json`,
      {
        hint: 'This publish stalled longer than the claim lasts and another publish took over. Run `frontendops publish DIR --commit SHA` again.',
      },
    );

  const write = async (next: PublishClaim): Promise<void> => {
    if (etag === undefined) throw lostError('S3 returned no ETag for the claim');
    try {
      etag = await putJson(deps.s3, deps.runner, bucket, key, next, { ifMatch: etag });
      current = next;
    } catch (error) {
      if (!isRace(error)) throw s3Failure(error, 'renewing the publish claim');
      const seen = await readClaim(deps, bucket, key);
      if (seen?.claim.claimId === next.claimId && seen.claim.renewal === next.renewal) {
        etag = seen.etag;
        current = next;
        return;
      }
      throw lostError(seen === undefined ? 'the claim object is gone' : `now held by ${heldBy(seen.claim)}`);
    }
  };

  const renew = async (): Promise<void> => {
    await write({ ...current, renewal: current.renewal + 1 });
    renewedAt = deps.elapsedMs();
  };

  // Renews during a single long upload too, where no keepAlive call comes between files.
  const timer = setInterval(() => {
    if (renewing || lost || released) return;
    renewing = renew()
      .catch((error: unknown) => {
        lost = error instanceof FrontendOpsError ? error : lostError(String(error));
      })
      .finally(() => {
        renewing = undefined;
      });
  }, renewEveryMs);
  timer.unref();

  return {
    async keepAlive(force = false) {
      if (lost) throw lost;
      if (renewing) await renewing;
      if (lost) throw lost;
      if (!force && deps.elapsedMs() - renewedAt < renewEveryMs) return;
      renewing = renew().finally(() => {
        renewing = undefined;
      });
      try {
        await renewing;
      } catch (error) {
        lost = error instanceof FrontendOpsError ? error : lostError(String(error));
        throw lost;
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (renewing) await renewing.catch(() => undefined);
      if (lost) return;
      await write({ ...current, renewal: current.renewal + 1, released: true }).catch(() => undefined);
    },
  };
}
