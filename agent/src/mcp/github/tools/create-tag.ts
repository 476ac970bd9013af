import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GitHubToolDeps } from '../deps.js';
import { createTag } from '../operations.js';
import { plainResult, runTool } from '../result.js';
import { CreateTagInput, CreateTagOutput } from '../schemas.js';

export function registerCreateTagTool(server: McpServer, deps: GitHubToolDeps): void {
  server.registerTool(
    'create_tag',
    {
      title: 'Create annotated tag',
      description:
        'Create an annotated tag (tag object + refs/tags/<tag>) on a commit. Idempotent: if the tag already ' +
        'points at that commit it is returned with created=false; if it points elsewhere the call fails with ' +
        'TAG_CONFLICT. Never moves or deletes a tag.',
      inputSchema: CreateTagInput,
      outputSchema: CreateTagOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: deps.backend.openWorld,
      },
    },
    (input) =>
      runTool('create_tag', deps.log, async () => {
        const tag = await createTag(deps.backend, input);
        const what = tag.created ? 'Created tag' : 'Tag already exists on this commit:';
        return plainResult(`${what} ${tag.name} → ${tag.sha}.`, tag);
      }),
  );
}
