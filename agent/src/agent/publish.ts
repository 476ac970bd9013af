import type { PublishReport } from '../deploy/publish.js';
import type { PublishClaim } from '../deploy/publish-claim.js';
import { toFrontendOpsError } from '../errors.js';
import { errorStatus } from '../outcome.js';
import { type FlowContext, resolveStack } from './flow.js';

/**
 * `frontendops publish DIR --commit SHA` as an audited request: the artifacts bucket and build prefix come
 * from the stack's `syncCommand`, read through the pulumi MCP server like every other request's, so
 * publishing works on whatever backend the stack lives in (a `file://` or `s3://` state, Pulumi Cloud).
 * The syncCommand must name the stack's own buckets (SYNC_COMMAND_MISMATCH otherwise), checked before the
 * first S3 request; the engine's `publishBuild` then uploads and writes `build.json` last.
 */

export interface PublishIntent {
  /** The build output folder, absolute. */
  dir: string;
  commit: string;
  /** Told when another publish of the commit holds its claim and this one waits for it. */
  onWait?: (holder: PublishClaim) => void;
}

export interface PublishOutcome {
  report: PublishReport;
  /** The artifacts bucket the build went to, from the stack's syncCommand. */
  bucket: string;
}

export async function publishThroughMcp(ctx: FlowContext, intent: PublishIntent): Promise<PublishOutcome> {
  const started = ctx.now().getTime();
  try {
    const { sync, buckets } = await resolveStack(ctx);
    // Loaded on use: the upload engine (lib-storage, p-limit) only matters once the target is trusted.
    const { publishBuild } = await import('../deploy/publish.js');
    const { config } = ctx;
    const report = await publishBuild(
      {
        s3: ctx.s3,
        now: ctx.now,
        attemptTimeoutMs: config.network.requestTimeoutSeconds * 1000,
        requestDeadlineMs: config.network.deadlineSeconds * 1000,
        ...(intent.onWait ? { onWait: intent.onWait } : {}),
      },
      {
        dir: intent.dir,
        commit: intent.commit,
        sync,
        stackBuckets: buckets,
        stack: ctx.stack.name,
        cacheRules: config.cacheRules,
        concurrency: config.concurrency,
        requiredFiles: config.requiredFiles,
        claimTtlSeconds: config.publishClaimTtlSeconds,
        requestedBy: ctx.requester,
      },
    );
    await ctx.tools.trail.write({
      kind: 'result',
      status: report.status,
      commit: report.commit,
      durationMs: ctx.now().getTime() - started,
    });
    return { report, bucket: sync.source.bucket };
  } catch (error) {
    const err = toFrontendOpsError(error);
    await ctx.tools.trail
      .write({
        kind: 'result',
        status: errorStatus(err.code),
        code: err.code,
        message: err.message,
        durationMs: ctx.now().getTime() - started,
      })
      .catch(() => undefined);
    throw err;
  }
}
