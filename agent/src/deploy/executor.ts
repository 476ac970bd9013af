import type { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { FrontendOpsError } from '../errors.js';
import { COPY_PHASES, type CopyPhase } from './cache-rules.js';
import { copyFile } from './copy.js';
import type { PlannedCopy } from './plan.js';
import { isPreconditionFailed, type RequestRunner, s3Failure } from './requests.js';
import { assertWritableSitePaths } from './reserved.js';
import type { S3Location } from './sync-command.js';

/**
 * Runs the planned copies phase by phase: every copy of a phase must succeed before
 * the next phase starts, so `index.html` is copied only once every file it can reference is live.
 * Inside a phase, copies run with bounded concurrency (p-limit). On the first failure no new copy
 * starts, the ones in flight are awaited, and the error is thrown: the next phase never begins.
 */
export type DeployStep =
  | 'plan'
  | 'lock'
  | 'confirm'
  | 'preflight'
  | 'journal'
  | 'copy'
  | 'record'
  | 'invalidate'
  | 'verify'
  | 'tag'
  | 'prune'
  | 'publish'
  | 'rollback'
  /** An endpoint has not answered yet: the message says which, and for how long. */
  | 'wait'
  | 'done';

export interface ProgressEvent {
  step: DeployStep;
  phase?: CopyPhase;
  /** Copies done / planned (whole deploy, not per phase). */
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
  message?: string;
}

export interface ExecuteCopiesDeps {
  s3: S3Client;
  runner: RequestRunner;
  concurrency: number;
  /** Before every copy: throws when the deploy lock is lost (cheap while its lease is fresh). */
  keepAlive: () => Promise<void>;
  /** Before a phase starts, after the previous one completed: the fence of the `index` phase. */
  beforePhase?: (phase: CopyPhase) => Promise<void>;
  /**
   * Once the last copy of the previous phase is on its way: work `beforePhase` would otherwise wait
   * for (the fence's lock write), started while the phase's last copies finish. Its failure is
   * ignored: `beforePhase` still runs, and decides.
   */
  preparePhase?: (phase: CopyPhase) => Promise<void>;
  onProgress?: (event: ProgressEvent) => void;
}

export interface CopyTarget {
  source: S3Location;
  destination: S3Location;
  /** The ETag the preflight verified for each build file, by site path: each copy is conditional on it. */
  sourceEtags?: ReadonlyMap<string, string>;
}

/** Returns the ETag S3 gave each copied object, by site path. */
export async function executeCopies(
  deps: ExecuteCopiesDeps,
  copies: readonly PlannedCopy[],
  target: CopyTarget,
): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  const total = copies.length;
  const totalBytes = copies.reduce((sum, c) => sum + c.size, 0);
  let done = 0;
  let bytes = 0;
  const limit = pLimit(Math.max(1, deps.concurrency));
  assertWritableSitePaths(
    target.destination,
    copies.map((c) => c.path),
    'overwrite',
  );

  const phases = COPY_PHASES.map((phase) => ({
    phase,
    batch: copies.filter((c) => c.phase === phase),
  })).filter(({ batch }) => batch.length > 0);
  for (const [index, { phase, batch }] of phases.entries()) {
    const next = phases[index + 1]?.phase;
    await deps.beforePhase?.(phase);
    deps.onProgress?.({
      step: 'copy',
      phase,
      done,
      total,
      bytes,
      totalBytes,
      message: `copying ${phase} files`,
    });
    let failed = false;
    let dispatched = 0;
    const results = await Promise.allSettled(
      batch.map((copy) =>
        limit(async () => {
          if (failed) return;
          dispatched += 1;
          if (dispatched === batch.length && next !== undefined) {
            void deps.preparePhase?.(next).catch(() => undefined);
          }
          try {
            await deps.keepAlive();
            const { etag } = await copyFile(
              deps.s3,
              deps.runner,
              {
                sourceBucket: target.source.bucket,
                sourceKey: `${target.source.prefix}${copy.path}`,
                destinationBucket: target.destination.bucket,
                destinationKey: `${target.destination.prefix}${copy.path}`,
                size: copy.size,
                sha256: copy.sha256,
                contentType: copy.contentType,
                cacheControl: copy.cacheControl,
                sourceEtag: target.sourceEtags?.get(copy.path),
              },
              { keepAlive: deps.keepAlive },
            );
            etags.set(copy.path, etag);
            done += 1;
            bytes += copy.size;
            deps.onProgress?.({ step: 'copy', phase, done, total, bytes, totalBytes });
          } catch (error) {
            failed = true;
            if (target.sourceEtags?.has(copy.path) && isPreconditionFailed(error)) {
              throw new FrontendOpsError(
                'BUILD_CORRUPT',
                `the build file ${target.source.prefix}${copy.path} changed after the preflight verified it (its ETag is no longer ${target.sourceEtags.get(copy.path)}); the copy was refused`,
                {
                  hint: 'Someone is writing into the build folder. Publish the commit again from a clean build, then deploy.',
                  data: { path: copy.path },
                  cause: error,
                },
              );
            }
            throw s3Failure(error, `copying ${copy.path}`);
          }
        }),
      ),
    );
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
  }
  return etags;
}
