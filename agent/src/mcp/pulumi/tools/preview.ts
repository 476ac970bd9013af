import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PulumiToolDeps } from '../deps.js';
import { preview } from '../operations.js';
import { toolHandler, toolResult } from '../result.js';
import { PreviewInput, PreviewOutput } from '../schemas.js';

export function registerPreviewTool(server: McpServer, deps: PulumiToolDeps): void {
  server.registerTool(
    'pulumi-cli-preview',
    {
      title: 'Pulumi preview',
      description:
        'Run pulumi preview for an existing stack of the project in workDir (Automation API; needs the Pulumi CLI, ' +
        'else PULUMI_CLI_MISSING). Changes nothing.',
      inputSchema: PreviewInput,
      outputSchema: PreviewOutput,
      // Runs the program and asks the cloud providers what would change.
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    toolHandler('pulumi-cli-preview', deps.log, async (input) => {
      const answer = await preview(deps, input);
      return toolResult(answer.structured, answer.text);
    }),
  );
}
