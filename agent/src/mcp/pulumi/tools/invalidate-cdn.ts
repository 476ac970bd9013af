import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PulumiToolDeps } from '../deps.js';
import { invalidateCdn } from '../operations.js';
import { toolHandler, toolResult } from '../result.js';
import { InvalidateCdnInput, InvalidateCdnOutput } from '../schemas.js';

export function registerInvalidateCdnTool(server: McpServer, deps: PulumiToolDeps): void {
  server.registerTool(
    'invalidate_cdn',
    {
      title: 'Invalidate the CDN',
      description:
        "Invalidate paths on the CloudFront distribution of a hosting stack (the stack's distributionId output; " +
        'the caller never names a distribution). Paths must start with "/", "*" only at the end, at most 3,000 ' +
        'paths and 15 wildcards (duplicates and covered paths are collapsed; anything else over the limits is ' +
        'refused with INVALIDATION_REJECTED). TooManyInvalidationsInProgress is retried with backoff. With wait, ' +
        'returns once Completed or fails with INVALIDATION_TIMEOUT after maxWaitSeconds.',
      inputSchema: InvalidateCdnInput,
      outputSchema: InvalidateCdnOutput,
      // Evicts cached copies (the origin keeps every file): not destructive. Each call creates a new
      // invalidation (and may be billed): not idempotent.
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    toolHandler('invalidate_cdn', deps.log, async (input) => {
      const answer = await invalidateCdn(deps, input);
      return toolResult(answer.structured, answer.text);
    }),
  );
}
