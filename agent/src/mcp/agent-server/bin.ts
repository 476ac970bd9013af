import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dispatchIntent } from '../../agent/dispatch.js';
import { historyThroughMcp } from '../../agent/flow.js';
import { targetOf } from '../../agent/guarded.js';
import type { CliContext } from '../../cli/context.js';
import { type CommonFlags, openSession } from '../../cli/support.js';
import { VERSION } from '../../version.js';
import { Deployments } from './deployments.js';
import type { AgentServerDeps } from './deps.js';
import { createServer } from './server.js';

/**
 * `frontendops mcp`: serves the agent over stdio until the client disconnects or the process is asked
 * to stop, then waits for any running deployment before it exits (a deploy is never cut in half).
 * stdout is the protocol; nothing else is written there.
 */
export async function runAgentMcpServer(ctx: CliContext, flags: CommonFlags): Promise<void> {
  const session = await openSession(ctx, flags);
  const deployments = new Deployments(ctx.now);
  let clientName = 'client';
  // An MCP client's approval of a destructive tool call is the confirmation (design §7).
  const approval = { yes: false, implicitBy: 'mcp-client' };
  const deps: AgentServerDeps = {
    deployments,
    requester: () => `mcp:${clientName}`,
    deploy: (args, requester, onProgress) =>
      dispatchIntent(
        session,
        { kind: 'deploy', target: targetOf(args), dryRun: args.dryRun ?? false },
        { trigger: 'mcp', text: `deploy_dashboard ${JSON.stringify(args)}`, approval, requester, onProgress },
      ),
    rollback: (args, requester, onProgress) =>
      dispatchIntent(
        session,
        { kind: 'rollback', ...(args.toTag ? { to: { kind: 'tag' as const, tag: args.toTag } } : {}) },
        {
          trigger: 'mcp',
          text: `rollback_dashboard ${JSON.stringify(args)}`,
          approval,
          requester,
          onProgress,
        },
      ),
    history: async (limit) => {
      const flowCtx = await session.startRequest({
        trigger: 'mcp',
        text: `list_deployments ${limit}`,
        approval,
        requester: `mcp:${clientName}`,
      });
      return historyThroughMcp(flowCtx, limit);
    },
  };
  const { server, close } = createServer(deps, VERSION);
  server.server.oninitialized = () => {
    clientName = server.server.getClientVersion()?.name ?? 'client';
  };
  const transport = new StdioServerTransport(
    ctx.stdin as NodeJS.ReadStream,
    ctx.stdout as NodeJS.WriteStream,
  );
  const stopped = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    ctx.stdin.on('end', () => resolve());
    const stopListening = ctx.onShutdown(() => {
      stopListening();
      resolve();
    });
  });
  await server.connect(transport);
  ctx.stderr.write(`frontendops mcp: ready (stack ${session.stack.name})\n`);
  await stopped;
  await close();
  await session.close();
}
