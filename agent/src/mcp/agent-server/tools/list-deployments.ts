import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { z } from 'zod';
import { parseWith } from '../../../validation.js';
import type { AgentToolDeps } from '../deps.js';
import { jobView, resolveStackArg } from '../job-view.js';
import { ListDeploymentsInput, ListDeploymentsOutput } from '../schemas.js';
import { auditedToolCall } from '../tool-call.js';

export function registerListDeploymentsTool(server: McpServer, deps: AgentToolDeps): void {
  server.registerTool(
    'list_deployments',
    {
      title: 'List deployments',
      description:
        'Deploy jobs of every agent instance, newest first, one page at a time (of one stack, or of all), ' +
        'and the recorded releases of the stack (from release records and deploy tags).',
      inputSchema: ListDeploymentsInput.shape,
      outputSchema: ListDeploymentsOutput.shape,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    (input) =>
      auditedToolCall(deps, 'list_deployments', input, async (requester) => {
        const args = parseWith(ListDeploymentsInput, input, 'BAD_INPUT', 'list_deployments arguments');
        const limit = args.limit ?? 10;
        const stack = args.stack === undefined ? undefined : resolveStackArg(deps.jobs.stacks, args.stack);
        const page = await deps.jobs.list({
          limit,
          ...(stack === undefined ? {} : { stack }),
          ...(args.cursor === undefined ? {} : { cursor: args.cursor }),
        });
        // Releases belong to one stack: the one named, or the only one configured.
        const releaseStack = stack ?? (deps.jobs.stacks.length === 1 ? deps.jobs.stacks[0] : undefined);
        const releases = (
          releaseStack === undefined ? [] : await deps.history(releaseStack, limit, requester)
        ).map((entry) =>
          Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)),
        ) as z.infer<typeof ListDeploymentsOutput>['releases'];
        const deployments = page.jobs.map(jobView);
        return {
          summary: `${deployments.length} deployment(s)${page.cursor ? ' (more: pass cursor)' : ''}, ${releases.length} release(s).`,
          structured: {
            deployments,
            ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
            releases,
          },
          status: 'ok',
          ...(stack === undefined ? {} : { stack }),
        };
      }),
  );
}
