import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../../version.js';
import type { PulumiToolDeps } from './deps.js';
import { registerTools } from './tools/index.js';

export const PULUMI_SERVER_NAME = 'frontendops-pulumi-mcp';

/** Bounds one call's arguments (3,000 paths plus a few fields is the largest legitimate call). */
const MAX_TOOL_INPUT_ELEMENTS = 10_000;

export interface PulumiServer {
  server: McpServer;
  close: () => Promise<void>;
}

/** The pulumi MCP server with its tools, not yet connected to a transport. */
export function createServer(
  deps: Omit<PulumiToolDeps, 'log'> & { log?: PulumiToolDeps['log'] },
): PulumiServer {
  const server = new McpServer(
    { name: PULUMI_SERVER_NAME, version: VERSION },
    {
      instructions:
        'Pulumi stack outputs and CloudFront invalidations for the Sophia dashboard hosting stack. ' +
        'invalidate_cdn and get_invalidation find the distribution from the stack; never pass a distribution id.',
      maxToolInputElements: MAX_TOOL_INPUT_ELEMENTS,
    },
  );
  registerTools(server, { ...deps, log: deps.log ?? (() => {}) });
  return { server, close: () => server.close() };
}
