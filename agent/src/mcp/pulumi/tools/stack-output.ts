import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PulumiToolDeps } from '../deps.js';
import { stackOutput } from '../operations.js';
import { toolHandler, toolResult } from '../result.js';
import { StackOutputInput, StackOutputOutput } from '../schemas.js';

export function registerStackOutputTool(server: McpServer, deps: PulumiToolDeps): void {
  server.registerTool(
    'pulumi-cli-stack-output',
    {
      title: 'Stack outputs',
      description:
        'Get the output value(s) of a given stack (same name and inputs as the official Pulumi MCP server; ' +
        'adds structuredContent). Secret outputs read "[secret]" unless showSecrets is set and the server allows it. ' +
        'The hosting stack is validated first: a malformed output or syncCommand fails with its error code.',
      inputSchema: StackOutputInput,
      outputSchema: StackOutputOutput,
      // Reads a known stack's state; nothing changes, and no open-ended external world is involved.
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    toolHandler('pulumi-cli-stack-output', deps.log, async (input) => {
      const answer = await stackOutput(deps, input);
      return toolResult(answer.structured, answer.text);
    }),
  );
}
