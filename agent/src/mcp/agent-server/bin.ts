import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dispatchIntent } from '../../agent/dispatch.js';
import { historyThroughMcp } from '../../agent/flow.js';
import { deployIntentOf, rollbackIntentOf } from '../../agent/guarded.js';
import type { Session } from '../../agent/session.js';
import type { CliContext } from '../../cli/context.js';
import { type CommonFlags, openSession } from '../../cli/support.js';
import { VERSION } from '../../version.js';
import { serveMcpOverHttp } from '../http/serve.js';
import { type HttpSettings, resolveHttpSettings, TOKEN_ENV } from '../http/settings.js';
import { InProcessDeployments } from './deployments.js';
import type { AgentServerDeps } from './deps.js';
import { createServer } from './server.js';

export interface AgentMcpFlags extends CommonFlags {
  /** `[HOST:]PORT`: serve Streamable HTTP instead of stdio. */
  http?: string;
}

/** The tools' deps over one agent session: every MCP session of this process shares them. */
function agentDeps(session: Session, ctx: CliContext): AgentServerDeps {
  // An MCP client's approval of a destructive tool call is the confirmation.
  const approval = { yes: false, implicitBy: 'mcp-client' };
  // A tool call is a structured request: its arguments (dryRun included) are the act itself.
  const mandate = { kind: 'explicit' } as const;
  return {
    deployments: new InProcessDeployments(ctx.now),
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
    history: async (limit, requester) => {
      const flowCtx = await session.startRequest({
        trigger: 'mcp',
        text: `list_deployments ${limit}`,
        approval,
        mandate: { kind: 'words', act: null, why: 'listing deployments only reads' },
        requester,
      });
      return historyThroughMcp(flowCtx, limit);
    },
  };
}

/** Resolves when the process is asked to stop (or, on stdio, when the client goes away). */
function stopSignal(ctx: CliContext, extra?: (stop: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const stopListening = ctx.onShutdown(() => {
      stopListening();
      resolve();
    });
    extra?.(resolve);
  });
}

/**
 * `frontendops mcp`: serves the agent over stdio (default) or Streamable HTTP (`--http`) until the
 * client disconnects (stdio) or the process is asked to stop, then waits for any running deployment
 * before it exits: a deploy is never cut in half, whoever started it and whoever is still listening.
 * On stdio, stdout is the protocol; nothing else is written there.
 */
export async function runAgentMcpServer(ctx: CliContext, flags: AgentMcpFlags): Promise<void> {
  // Checked before anything starts: a missing token is a bad invocation, not a failed deploy.
  const settings: HttpSettings | undefined =
    flags.http === undefined ? undefined : resolveHttpSettings(flags.http, ctx.env);
  const session = await openSession(ctx, flags);
  const deps = agentDeps(session, ctx);
  try {
    if (settings === undefined) {
      const { server, close } = createServer(deps, VERSION);
      const transport = new StdioServerTransport(
        ctx.stdin as NodeJS.ReadStream,
        ctx.stdout as NodeJS.WriteStream,
      );
      const stopped = stopSignal(ctx, (stop) => {
        transport.onclose = stop;
        ctx.stdin.on('end', stop);
      });
      await server.connect(transport);
      ctx.stderr.write(`frontendops mcp: ready (stack ${session.stack.name})\n`);
      await stopped;
      await deps.deployments.settled();
      await close();
    } else {
      const stopped = stopSignal(ctx);
      const served = await serveMcpOverHttp({
        settings,
        newServer: () => createServer(deps, VERSION),
        log: (line) => ctx.stderr.write(`frontendops mcp: ${line}\n`),
      });
      ctx.stderr.write(
        `frontendops mcp: listening on ${served.url} (stack ${session.stack.name}; bearer token from ${TOKEN_ENV} required)\n`,
      );
      await stopped;
      await served.close();
      await deps.deployments.settled();
    }
  } finally {
    await session.close();
  }
}
