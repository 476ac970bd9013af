import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PulumiToolDeps } from '../deps.js';
import { getInvalidation } from '../operations.js';
import { toolHandler, toolResult } from '../result.js';
import { GetInvalidationInput, GetInvalidationOutput } from '../schemas.js';

export function registerGetInvalidationTool(server: McpServer, deps: PulumiToolDeps): void {
  server.registerTool(
    'get_invalidation',
    {
      title: 'Invalidation status',
      description:
        "Status (InProgress or Completed) and paths of one invalidation on a hosting stack's distribution.",
      inputSchema: GetInvalidationInput,
      outputSchema: GetInvalidationOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    toolHandler('get_invalidation', deps.log, async (input) => {
      const answer = await getInvalidation(deps, input);
      return toolResult(answer.structured, answer.text);
    }),
  );
}
