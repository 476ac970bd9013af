import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { DeployArgs } from '../../../agent/guarded.js';
import { parseWith } from '../../../validation.js';
import type { AgentToolDeps } from '../deps.js';
import { okResult, runTool } from '../result.js';
import { StartedSchema } from '../schemas.js';

export function registerDeployDashboardTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'deploy_dashboard',
    {
      title: 'Deploy the Sophia dashboard',
      description:
        'Starts a deploy of the Sophia dashboard and returns a deployment id at once; poll ' +
        'get_deployment_status. Without arguments: the latest dashboard commit with a complete build. ' +
        'Calling this tool is the approval of the deploy; use dryRun to see the plan first.',
      inputSchema: DeployArgs.shape,
      outputSchema: StartedSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    (input) =>
      runTool(async () => {
        const args = parseWith(DeployArgs, input, 'BAD_INPUT', 'deploy_dashboard arguments');
        const requester = deps.requester();
        const job = await deps.deployments.start('deploy', args, (onProgress) =>
          deps.deploy(args, requester, onProgress),
        );
        return okResult(`Deployment ${job.deploymentId} started; poll get_deployment_status.`, {
          deploymentId: job.deploymentId,
          status: 'running' as const,
        });
      }),
  );
}
