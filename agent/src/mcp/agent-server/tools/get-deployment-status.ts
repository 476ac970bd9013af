import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentToolDeps } from '../deps.js';
import { okResult, runTool } from '../result.js';
import { JobSchema } from '../schemas.js';

export function registerGetDeploymentStatusTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'get_deployment_status',
    {
      title: 'Deployment status',
      description:
        'The status of a deployment started by deploy_dashboard or rollback_dashboard: running (with the ' +
        'current step), or its result (deployed, noop, planned, refused, cancelled, failed, incomplete, ' +
        'rolled_back) with the report, the tag and a one-line summary.',
      inputSchema: { deploymentId: z.string().min(1).max(100).describe('The id deploy_dashboard returned') },
      outputSchema: JobSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ deploymentId }) =>
      runTool(async () => {
        const job = await deps.deployments.get(deploymentId);
        return okResult(
          `Deployment ${job.deploymentId}: ${job.status}${job.summary ? ` — ${job.summary}` : ''}`,
          job,
        );
      }),
  );
}
