import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { parseWith } from '../../../validation.js';
import type { AgentToolDeps } from '../deps.js';
import { resolveStackArg } from '../job-view.js';
import { RollbackToolArgs, StartedSchema } from '../schemas.js';
import { auditedToolCall } from '../tool-call.js';

export function registerRollbackDashboardTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'rollback_dashboard',
    {
      title: 'Roll the Sophia dashboard back',
      description:
        'Starts a rollback of a stack and returns a deployment id at once; poll get_deployment_status ' +
        '(from any agent instance). Without arguments: the release before the live one; toTag or toCommit ' +
        'names another. With dryRun true it only plans (status planned) and changes nothing. A stack ' +
        'already being deployed is refused at once with the running deployment id. Calling this tool ' +
        'without dryRun is the approval of the rollback.',
      inputSchema: RollbackToolArgs.shape,
      outputSchema: StartedSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (input) =>
      auditedToolCall(deps, 'rollback_dashboard', input, async (requester) => {
        const { stack: given, ...args } = parseWith(
          RollbackToolArgs,
          input,
          'BAD_INPUT',
          'rollback_dashboard arguments',
        );
        const stack = resolveStackArg(deps.jobs.stacks, given);
        const job = await deps.jobs.start({
          stack,
          kind: 'rollback',
          request: { ...args, stack },
          trigger: 'mcp',
          requestedBy: requester,
          run: (ctx) => deps.rollback(args, stack, requester, ctx),
        });
        return {
          summary: `Rollback ${job.jobId} of ${stack} started; poll get_deployment_status.`,
          structured: { deploymentId: job.jobId, status: 'running' as const, stack },
          status: 'started',
          stack,
          deploymentId: job.jobId,
          auditedByJob: true,
        };
      }),
  );
}
