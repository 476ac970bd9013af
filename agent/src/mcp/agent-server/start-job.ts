import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Answer } from '../../agent/dispatch.js';
import type { JobRunContext } from '../../agent/jobs.js';
import { parseWith } from '../../validation.js';
import type { AgentToolDeps } from './deps.js';
import { resolveStackArg } from './job-view.js';
import { auditedToolCall } from './tool-call.js';

/** What differs between the tools that start a job: their name, the job's kind and the step it runs. */
export interface JobToolSpec<Args extends { stack?: string | undefined }> {
  tool: 'deploy_dashboard' | 'rollback_dashboard';
  kind: 'deploy' | 'rollback';
  /** The first word of the summary: "Deployment 01J… of prod started". */
  noun: string;
  schema: z.ZodType<Args>;
  run(args: Omit<Args, 'stack'>, stack: string, requester: string, job: JobRunContext): Promise<Answer>;
}

/**
 * One call of a job-starting tool: validate, resolve the stack, start the job and answer with its id at
 * once. The job audits itself (its request line names the tool and the deployment id).
 */
export function startJobToolCall<Args extends { stack?: string | undefined }>(
  deps: AgentToolDeps,
  spec: JobToolSpec<Args>,
  input: Record<string, unknown>,
): Promise<CallToolResult> {
  return auditedToolCall(deps, spec.tool, input, async (requester) => {
    const { stack: given, ...args } = parseWith(spec.schema, input, 'BAD_INPUT', `${spec.tool} arguments`);
    const stack = resolveStackArg(deps.jobs.stacks, given);
    const job = await deps.jobs.start({
      stack,
      kind: spec.kind,
      request: { ...args, stack },
      trigger: 'mcp',
      requestedBy: requester,
      run: (ctx) => spec.run(args, stack, requester, ctx),
    });
    return {
      summary: `${spec.noun} ${job.jobId} of ${stack} started; poll get_deployment_status.`,
      structured: { deploymentId: job.jobId, status: 'running' as const, stack },
      status: 'started',
      stack,
      deploymentId: job.jobId,
      auditedByJob: true,
    };
  });
}
