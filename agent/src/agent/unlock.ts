import { describeHolder, type LockStatus } from '../deploy/lock.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { type FlowContext, type LockHolder, lockHolderOf, resolveStack, s3Reads } from './flow.js';

/**
 * `frontendops unlock --stack S`: releases a stale deploy lock. It shows the holder and the lock's age
 * by S3's clock; a lock that has not expired is refused unless forcing is confirmed (a person, or
 * `--force --yes`); the delete is conditional on the ETag that was shown, so a lock renewed or taken
 * meanwhile is never released by mistake. Audited like every request.
 */
export interface UnlockOptions {
  force: boolean;
  /** Asked before force-releasing a lock that has not expired; absent → refused. */
  confirmForce?: (holder: UnlockHolder) => Promise<boolean>;
}

export interface UnlockHolder extends LockHolder {
  description: string;
}

export interface UnlockResult {
  status: 'unlocked' | 'noop';
  stack: string;
  holder: UnlockHolder | null;
  forced: boolean;
}

function holderOf(status: LockStatus): UnlockHolder {
  return { ...lockHolderOf(status), description: describeHolder(status.lock, status.age) };
}

export async function unlockThroughMcp(ctx: FlowContext, options: UnlockOptions): Promise<UnlockResult> {
  const started = ctx.now().getTime();
  const stack = ctx.stack.name;
  const result = async (value: UnlockResult, extra: { code?: string; message?: string } = {}) => {
    await ctx.tools.trail.write({
      kind: 'result',
      status: value.status,
      ...extra,
      durationMs: ctx.now().getTime() - started,
    });
    return value;
  };
  try {
    const resolved = await resolveStack(ctx);
    const bucket = resolved.sync.source.bucket;
    const status = await ctx.engine.readLockStatus(ctx.s3, bucket, stack, s3Reads(ctx));
    if (status === undefined) return await result({ status: 'noop', stack, holder: null, forced: false });
    const holder = holderOf(status);
    const forced = !holder.expired;
    if (forced) {
      if (!options.force) {
        throw new FrontendOpsError(
          'REFUSED',
          `the deploy lock of ${stack} is fresh: held by ${holder.description}; nothing released`,
          {
            hint: `If that deploy is really dead, \`frontendops unlock --stack ${stack} --force\` (it asks first; --yes skips the question).`,
            data: { holder },
          },
        );
      }
      if (!(await options.confirmForce?.(holder))) {
        throw new FrontendOpsError(
          options.confirmForce ? 'CANCELLED' : 'REFUSED',
          options.confirmForce
            ? `the lock of ${stack} was not released`
            : `force-releasing the fresh lock of ${stack} needs confirmation and nobody can give it here`,
          {
            hint: `Confirm, or pass \`--force --yes\` to \`frontendops unlock --stack ${stack}\`.`,
            data: { holder },
          },
        );
      }
    }
    const outcome = await ctx.tools.step(
      'release_lock',
      {
        stack,
        holder: holder.owner,
        commit: holder.commit,
        ageSeconds: holder.ageSeconds,
        expired: holder.expired,
        forced,
      },
      () => ctx.engine.breakLock(ctx.s3, bucket, stack, status.etag, s3Reads(ctx)),
    );
    if (outcome === 'changed') {
      throw new FrontendOpsError(
        'DEPLOY_IN_PROGRESS',
        `the deploy lock of ${stack} changed since it was read (renewed or taken by another deploy); nothing released`,
        { hint: '`frontendops status` shows who holds it now.' },
      );
    }
    return await result({ status: outcome === 'gone' ? 'noop' : 'unlocked', stack, holder, forced });
  } catch (error) {
    const err = toFrontendOpsError(error);
    await ctx.tools.trail
      .write({
        kind: 'result',
        status:
          err.code === 'REFUSED' || err.code === 'DEPLOY_IN_PROGRESS'
            ? 'refused'
            : err.code === 'CANCELLED'
              ? 'cancelled'
              : 'failed',
        code: err.code,
        message: err.message,
        durationMs: ctx.now().getTime() - started,
      })
      .catch(() => undefined);
    throw err;
  }
}
