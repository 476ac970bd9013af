import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { parseWith } from '../../../validation.js';
import type { AgentToolDeps } from '../deps.js';
import { jobView, resolveStackArg } from '../job-view.js';
import { JobSchema, StackArg } from '../schemas.js';
import { auditedToolCall } from '../tool-call.js';

const Input = z
  .object({
    deploymentId: z
      .string()
      .min(1)
      .max(100)
      .describe('The id deploy_dashboard or rollback_dashboard returned'),
    stack: StackArg.optional().describe('The job’s stack, if known (saves looking in every stack)'),
  })
  .strict();

export function registerGetDeploymentStatusTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'get_deployment_status',
    {
      title: 'Deployment status',
      description:
        'The status of a deployment started by deploy_dashboard or rollback_dashboard on any agent ' +
        'instance: running (with the current step), or its result (deployed, noop, planned, incomplete ' +
        'with the missing steps, rolled_back, refused, cancelled, failed) with the report and tag.',
      inputSchema: Input.shape,
      outputSchema: JobSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) =>
      auditedToolCall(deps, 'get_deployment_status', input, async () => {
        const args = parseWith(Input, input, 'BAD_INPUT', 'get_deployment_status arguments');
        const stack = args.stack === undefined ? undefined : resolveStackArg(deps.jobs.stacks, args.stack);
        const job = jobView(await deps.jobs.get(args.deploymentId, stack));
        return {
          summary: `Deployment ${job.deploymentId} (${job.stack}): ${job.status}${job.summary ? ` — ${job.summary}` : ''}`,
          structured: job,
          status: 'ok',
          stack: job.stack,
          deploymentId: job.deploymentId,
        };
      }),
  );
}
