import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { parseWith } from '../../../validation.js';
import type { AgentToolDeps } from '../deps.js';
import { resolveStackArg } from '../job-view.js';
import { DeployToolArgs, StartedSchema } from '../schemas.js';
import { auditedToolCall } from '../tool-call.js';

export function registerDeployDashboardTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'deploy_dashboard',
    {
      title: 'Deploy the Sophia dashboard',
      description:
        'Starts a deploy of the Sophia dashboard to a stack and returns a deployment id at once; poll ' +
        'get_deployment_status (from any agent instance). Without a commit or tag: the latest dashboard ' +
        'commit with a complete build. A stack already being deployed is refused at once with the ' +
        'running deployment id. Calling this tool is the approval of the deploy; use dryRun to see the plan first.',
      inputSchema: DeployToolArgs.shape,
      outputSchema: StartedSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    (input) =>
      auditedToolCall(deps, 'deploy_dashboard', input, async (requester) => {
        const { stack: given, ...args } = parseWith(
          DeployToolArgs,
          input,
          'BAD_INPUT',
          'deploy_dashboard arguments',
        );
        const stack = resolveStackArg(deps.jobs.stacks, given);
        const job = await deps.jobs.start({
          stack,
          kind: 'deploy',
          request: { ...args, stack },
          trigger: 'mcp',
          requestedBy: requester,
          run: (ctx) => deps.deploy(args, stack, requester, ctx),
        });
        return {
          summary: `Deployment ${job.jobId} of ${stack} started; poll get_deployment_status.`,
          structured: { deploymentId: job.jobId, status: 'running' as const, stack },
          status: 'started',
          stack,
          deploymentId: job.jobId,
          auditedByJob: true,
        };
      }),
  );
}
