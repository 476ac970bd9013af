import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentToolDeps } from '../deps.js';
import { okResult, runTool } from '../result.js';
import { ListDeploymentsOutput } from '../schemas.js';

export function registerListDeploymentsTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'list_deployments',
    {
      title: 'List deployments',
      description:
        'Deployments started by this server (newest first) and the recorded releases of the stack ' +
        '(from release records and deploy tags).',
      inputSchema: {
        limit: z.number().int().min(1).max(100).optional().describe('Releases to list (default 10)'),
      },
      outputSchema: ListDeploymentsOutput.shape,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    ({ limit }) =>
      runTool(async () => {
        const deployments = await deps.deployments.list();
        const releases = (await deps.history(limit ?? 10, deps.requester())).map((entry) =>
          Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)),
        ) as z.infer<typeof ListDeploymentsOutput>['releases'];
        return okResult(
          `${deployments.length} deployment(s) started by this server, ${releases.length} release(s).`,
          {
            deployments,
            releases,
          },
        );
      }),
  );
}
