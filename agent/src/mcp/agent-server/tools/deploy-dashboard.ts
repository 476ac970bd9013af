import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentToolDeps } from '../deps.js';
import { DeployToolArgs, StartedSchema } from '../schemas.js';
import { startJobToolCall } from '../start-job.js';

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
      startJobToolCall(
        deps,
        {
          tool: 'deploy_dashboard',
          kind: 'deploy',
          noun: 'Deployment',
          schema: DeployToolArgs,
          run: (args, stack, requester, job) => deps.deploy(args, stack, requester, job),
        },
        input,
      ),
  );
}
