import type { JobRecord } from '../../deploy/job-schema.js';
import { FrontendOpsError } from '../../errors.js';
import type { JobView } from './schemas.js';

/** A job record as the tools show it (the names the tools always used: deploymentId, startedAt). Pure. */
export function jobView(job: JobRecord): JobView {
  return {
    deploymentId: job.jobId,
    stack: job.stack,
    kind: job.kind,
    request: job.request,
    status: job.status,
    trigger: job.trigger,
    requestedBy: job.requestedBy,
    instance: job.instance,
    startedAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.finishedAt === null ? {} : { finishedAt: job.finishedAt }),
    ...(job.progress === undefined ? {} : { progress: job.progress }),
    ...(job.commit === undefined ? {} : { commit: job.commit }),
    ...(job.releaseId === undefined ? {} : { releaseId: job.releaseId }),
    ...(job.tag === undefined ? {} : { tag: job.tag }),
    ...(job.missing === undefined ? {} : { missing: job.missing }),
    ...(job.result === undefined ? {} : { result: job.result }),
    ...(job.summary === undefined ? {} : { summary: job.summary }),
    ...(job.error === undefined ? {} : { error: job.error }),
    ...(job.settledBy === undefined ? {} : { settledBy: job.settledBy }),
  };
}

/**
 * The stack a tool call means: the one it names (which must be configured), or the only one configured.
 * With several and none named the call is refused, never guessed. Pure.
 */
export function resolveStackArg(stacks: readonly string[], given: string | undefined): string {
  if (given !== undefined) {
    if (stacks.includes(given)) return given;
    throw new FrontendOpsError('STACK_NOT_CONFIGURED', `no stack named ${given} in the config`, {
      hint: `Known stacks: ${stacks.join(', ')}.`,
      data: { stacks: [...stacks] },
    });
  }
  const [only, ...rest] = stacks;
  if (only !== undefined && rest.length === 0) return only;
  throw new FrontendOpsError(
    'BAD_INPUT',
    `${stacks.length} stacks are configured; say which one with "stack"`,
    {
      hint: `Known stacks: ${stacks.join(', ')}.`,
      data: { stacks: [...stacks] },
    },
  );
}
