import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentToolDeps } from '../deps.js';
import { RollbackToolArgs, StartedSchema } from '../schemas.js';
import { startJobToolCall } from '../start-job.js';

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
      startJobToolCall(
        deps,
        {
          tool: 'rollback_dashboard',
          kind: 'rollback',
          noun: 'Rollback',
          schema: RollbackToolArgs,
          run: (args, stack, requester, job) => deps.rollback(args, stack, requester, job),
        },
        input,
      ),
  );
}
