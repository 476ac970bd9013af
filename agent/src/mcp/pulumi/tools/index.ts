import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PulumiToolDeps } from '../deps.js';
import { registerGetInvalidationTool } from './get-invalidation.js';
import { registerInvalidateCdnTool } from './invalidate-cdn.js';
import { registerPreviewTool } from './preview.js';
import { registerRefreshTool } from './refresh.js';
import { registerStackOutputTool } from './stack-output.js';
import { registerUpTool } from './up.js';

/** The pulumi server's tools. */
export const PULUMI_TOOL_NAMES = [
  'pulumi-cli-stack-output',
  'invalidate_cdn',
  'get_invalidation',
  'pulumi-cli-preview',
  'pulumi-cli-up',
  'pulumi-cli-refresh',
] as const;

export function registerTools(server: McpServer, deps: PulumiToolDeps): void {
  registerStackOutputTool(server, deps);
  registerInvalidateCdnTool(server, deps);
  registerGetInvalidationTool(server, deps);
  registerPreviewTool(server, deps);
  registerUpTool(server, deps);
  registerRefreshTool(server, deps);
}
