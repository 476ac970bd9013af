import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GitHubToolDeps } from '../deps.js';
import { officialTags } from '../official.js';
import { listTags } from '../operations.js';
import { officialResult, runTool } from '../result.js';
import { ListTagsInput, ListTagsOutput } from '../schemas.js';

export function registerListTagsTool(server: McpServer, deps: GitHubToolDeps): void {
  server.registerTool(
    'list_tags',
    {
      title: 'List tags',
      description:
        'List git tags, optionally only those starting with `prefix`, sorted by name (version-aware, ' +
        'highest first: deploy tags newest first), each with the commit it points at. The first text ' +
        'block is the JSON github/github-mcp-server returns.',
      inputSchema: ListTagsInput,
      outputSchema: ListTagsOutput,
      annotations: { readOnlyHint: true, openWorldHint: deps.backend.openWorld },
    },
    (input) =>
      runTool('list_tags', deps.log, async () => {
        const tags = (await listTags(deps.backend, input)).map((tag) => ({
          ...tag,
          name: deps.redact(tag.name),
        }));
        return officialResult(officialTags(tags), `${tags.length} tag(s).`, { tags });
      }),
  );
}
