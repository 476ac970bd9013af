import type { CliContext } from '../cli/context.js';
import type { DeployReport, ProgressEvent } from '../deploy/pipeline.js';
import type { PlanSummary } from '../deploy/plan.js';
import { FrontendOpsError } from '../errors.js';
import { openSession } from './cli-support.js';
import { deployThroughMcp } from './flow.js';
import type { DeployTarget } from './intent.js';

/**
 * `frontendops deploy [--commit SHA]`, through the same MCP tool layer and pipeline as `ask` (design §7:
 * "Both paths end in the same pipeline"): stack outputs from the pulumi server, the commit checked
 * with the github server, the CDN invalidated through the pulumi server and the release tagged
 * through the github server — audited like every other request. The CLI keeps its own printing.
 */
export interface DeployCommandRequest {
  config?: string;
  stack?: string;
  /** A commit sha (7–40 hex); absent: the latest dashboard commit with a complete build. */
  commit?: string;
  dryRun: boolean;
  /** Asks a person; absent means approved (`--yes`, or a dry run). */
  confirm?: (plan: PlanSummary, stack: string) => Promise<boolean>;
  onProgress?: (event: ProgressEvent) => void;
}

export async function deployCommandThroughMcp(
  ctx: CliContext,
  request: DeployCommandRequest,
): Promise<{ report: DeployReport; stack: string }> {
  let target: DeployTarget = { kind: 'latest' };
  if (request.commit !== undefined) {
    if (!/^[0-9a-f]{7,40}$/.test(request.commit)) {
      throw new FrontendOpsError(
        'BAD_INPUT',
        `--commit ${JSON.stringify(request.commit)} is not a commit sha`,
        {
          hint: 'Pass a lowercase commit sha (git rev-parse HEAD), or leave --commit out for the latest build.',
        },
      );
    }
    target = { kind: 'commit', sha: request.commit };
  }
  const session = await openSession(ctx, {
    ...(request.config === undefined ? {} : { config: request.config }),
    ...(request.stack === undefined ? {} : { stack: request.stack }),
  });
  try {
    const confirm = request.confirm;
    const flowCtx = await session.startRequest({
      trigger: 'cli',
      text: `deploy${request.commit ? ` --commit ${request.commit}` : ''}${request.dryRun ? ' --dry-run' : ''}`,
      approval: confirm ? { yes: false, ask: (plan, stack) => confirm(plan, stack) } : { yes: true },
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
    const outcome = await deployThroughMcp(flowCtx, { target, dryRun: request.dryRun, trigger: 'cli' });
    return { report: outcome.report, stack: outcome.stack };
  } finally {
    await session.close();
  }
}
