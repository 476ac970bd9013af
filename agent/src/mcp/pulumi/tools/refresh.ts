import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PulumiToolDeps } from '../deps.js';
import { refresh } from '../operations.js';
import { toolHandler, toolResult } from '../result.js';
import { RefreshInput, RefreshOutput } from '../schemas.js';

export function registerRefreshTool(server: McpServer, deps: PulumiToolDeps): void {
  server.registerTool(
    'pulumi-cli-refresh',
    {
      title: 'Pulumi refresh',
      description:
        'Run pulumi refresh for an existing stack of the project in workDir (Automation API; needs the Pulumi ' +
        'CLI, else PULUMI_CLI_MISSING): reads the real resources and updates the stack state to match. ' +
        'Changes no resource.',
      inputSchema: RefreshInput,
      outputSchema: RefreshOutput,
      // Rewrites the stack's state (never a resource); refreshing twice records the same thing.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    toolHandler('pulumi-cli-refresh', deps.log, async (input) => {
      const answer = await refresh(deps, input);
      return toolResult(answer.structured, answer.text);
    }),
  );
}
