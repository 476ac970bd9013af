import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { RollbackArgs } from '../../../agent/guarded.js';
import { parseWith } from '../../../validation.js';
import type { AgentToolDeps } from '../deps.js';
import { okResult, runTool } from '../result.js';
import { StartedSchema } from '../schemas.js';

export function registerRollbackDashboardTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'rollback_dashboard',
    {
      title: 'Roll the Sophia dashboard back',
      description:
        'Starts a rollback and returns a deployment id at once; poll get_deployment_status. Without ' +
        'arguments: the release before the live one; toTag or toCommit names another. With dryRun true ' +
        'it only plans (status planned) and changes nothing. Calling this tool without dryRun is the ' +
        'approval of the rollback.',
      inputSchema: RollbackArgs.shape,
      outputSchema: StartedSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    (input) =>
      runTool(async () => {
        const args = parseWith(RollbackArgs, input, 'BAD_INPUT', 'rollback_dashboard arguments');
        const requester = deps.requester();
        const job = await deps.deployments.start('rollback', args, (onProgress) =>
          deps.rollback(args, requester, onProgress),
        );
        return okResult(`Rollback ${job.deploymentId} started; poll get_deployment_status.`, {
          deploymentId: job.deploymentId,
          status: 'running' as const,
        });
      }),
  );
}
