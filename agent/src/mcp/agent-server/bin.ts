import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dispatchIntent } from '../../agent/dispatch.js';
import { historyThroughMcp } from '../../agent/flow.js';
import { deployIntentOf, rollbackIntentOf } from '../../agent/guarded.js';
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
  // An MCP client's approval of a destructive tool call is the confirmation.
  const approval = { yes: false, implicitBy: 'mcp-client' };
  // A tool call is a structured request: its arguments (dryRun included) are the act itself.
  const mandate = { kind: 'explicit' } as const;
  const deps: AgentServerDeps = {
    deployments,
    requester: () => `mcp:${clientName}`,
    deploy: (args, requester, onProgress) =>
      dispatchIntent(session, deployIntentOf(args), {
        trigger: 'mcp',
        text: `deploy_dashboard ${JSON.stringify(args)}`,
        approval,
        mandate,
        requester,
        onProgress,
      }),
    rollback: (args, requester, onProgress) =>
      dispatchIntent(session, rollbackIntentOf(args), {
        trigger: 'mcp',
        text: `rollback_dashboard ${JSON.stringify(args)}`,
        approval,
        mandate,
        requester,
        onProgress,
      }),
    history: async (limit) => {
      const flowCtx = await session.startRequest({
        trigger: 'mcp',
        text: `list_deployments ${limit}`,
        approval,
        mandate: { kind: 'words', act: null, why: 'listing deployments only reads' },
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
