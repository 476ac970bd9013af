import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PulumiToolDeps } from '../deps.js';
import { up } from '../operations.js';
import { toolHandler, toolResult } from '../result.js';
import { UpInput, UpOutput } from '../schemas.js';

export function registerUpTool(server: McpServer, deps: PulumiToolDeps): void {
  server.registerTool(
    'pulumi-cli-up',
    {
      title: 'Pulumi up',
      description:
        'Run pulumi up for an existing stack of the project in workDir (Automation API; needs the Pulumi CLI, ' +
        'else PULUMI_CLI_MISSING). Creates, updates and deletes cloud resources to match the program.',
      inputSchema: UpInput,
      outputSchema: UpOutput,
      // May delete or replace resources. Repeating it with the same program converges to the same state.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    toolHandler('pulumi-cli-up', deps.log, async (input) => {
      const answer = await up(deps, input);
      return toolResult(answer.structured, answer.text);
    }),
  );
}
