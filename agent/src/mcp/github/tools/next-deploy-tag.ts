import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GitHubToolDeps } from '../deps.js';
import { nextDeployTagFor } from '../operations.js';
import { plainResult, runTool } from '../result.js';
import { NextDeployTagInput, NextDeployTagOutput } from '../schemas.js';

export function registerNextDeployTagTool(server: McpServer, deps: GitHubToolDeps): void {
  server.registerTool(
    'next_deploy_tag',
    {
      title: 'Next deploy tag',
      description:
        'Name the next deploy tag <prefix>YYYYMMDD-N (UTC date; N = highest that day + 1, gaps are not reused). ' +
        'With sha and message it also creates it, atomically: if another deploy takes N first, it takes the ' +
        'next N; repeating the same request returns the same tag with created=false. Without sha, nothing ' +
        'is written; to create the tag yourself call create_tag and, on TAG_CONFLICT, call next_deploy_tag again.',
      inputSchema: NextDeployTagInput,
      outputSchema: NextDeployTagOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: deps.backend.openWorld,
      },
    },
    (input) =>
      runTool('next_deploy_tag', deps.log, async () => {
        const result = await nextDeployTagFor(deps.backend, input, deps.now);
        const summary =
          'created' in result
            ? `${result.created ? 'Created' : 'Reused'} deploy tag ${result.tag} → ${result.sha}.`
            : `Next deploy tag: ${result.tag}.`;
        return plainResult(summary, result);
      }),
  );
}
