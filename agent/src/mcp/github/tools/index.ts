import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GitHubToolDeps } from '../deps.js';
import { registerCreateTagTool } from './create-tag.js';
import { registerGetCommitTool } from './get-commit.js';
import { registerGetTagTool } from './get-tag.js';
import { registerListCommitsTool } from './list-commits.js';
import { registerListTagsTool } from './list-tags.js';
import { registerNextDeployTagTool } from './next-deploy-tag.js';

/** The github server's tools. */
export const GITHUB_TOOL_NAMES = [
  'list_commits',
  'get_commit',
  'list_tags',
  'get_tag',
  'create_tag',
  'next_deploy_tag',
] as const;

export function registerTools(server: McpServer, deps: GitHubToolDeps): void {
  registerListCommitsTool(server, deps);
  registerGetCommitTool(server, deps);
  registerListTagsTool(server, deps);
  registerGetTagTool(server, deps);
  registerCreateTagTool(server, deps);
  registerNextDeployTagTool(server, deps);
}
