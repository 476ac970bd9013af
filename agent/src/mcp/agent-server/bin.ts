import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dispatchIntent } from '../../agent/dispatch.js';
import { auditAnsweredRequest, openJobs } from '../../agent/fleet.js';
import { historyThroughMcp } from '../../agent/flow.js';
import { deployIntentOf, rollbackIntentOf } from '../../agent/guarded.js';
import type { Session } from '../../agent/session.js';
import type { CliContext } from '../../cli/context.js';
import { type CommonFlags, openSession } from '../../cli/support.js';
import { VERSION } from '../../version.js';
import { serveMcpOverHttp } from '../http/serve.js';
import { type HttpSettings, resolveHttpSettings, TOKEN_ENV } from '../http/settings.js';
import type { AgentServerDeps } from './deps.js';
import { createServer } from './server.js';

export interface AgentMcpFlags extends CommonFlags {
  /** `[HOST:]PORT`: serve Streamable HTTP instead of stdio. */
  http?: string;
}

/** The tools' deps over one agent session and its deploy jobs: every MCP session of this process shares them. */
function agentDeps(session: Session, ctx: CliContext): AgentServerDeps {
  // An MCP client's approval of a destructive tool call is the confirmation.
  const approval = { yes: false, implicitBy: 'mcp-client' };
  // A tool call is a structured request: its arguments (dryRun included) are the act itself.
  const mandate = { kind: 'explicit' } as const;
  const jobs = openJobs(session, { trigger: 'mcp', env: ctx.env, now: ctx.now });
  return {
    jobs,
    deploy: (args, stack, requester, job) =>
      dispatchIntent(session, deployIntentOf(args), {
        trigger: 'mcp',
        text: `deploy_dashboard ${JSON.stringify(args)} (deployment ${job.jobId})`,
        approval,
        mandate,
        requester,
        stack,
        onProgress: job.onProgress,
        job,
      }),
    rollback: (args, stack, requester, job) =>
      dispatchIntent(session, rollbackIntentOf(args), {
        trigger: 'mcp',
        text: `rollback_dashboard ${JSON.stringify(args)} (deployment ${job.jobId})`,
        approval,
        mandate,
        requester,
        stack,
        onProgress: job.onProgress,
        job,
      }),
    history: async (stack, limit, requester) => {
      const flowCtx = await session.startRequest({
        trigger: 'mcp',
        text: `list_deployments releases of ${stack} (${limit})`,
        approval,
        mandate: { kind: 'words', act: null, why: 'listing deployments only reads' },
        requester,
        stack,
      });
      return historyThroughMcp(flowCtx, limit);
    },
    audit: (record) =>
      auditAnsweredRequest(session, {
        trigger: 'mcp',
        requester: record.requester,
        text: `${record.tool} ${JSON.stringify(record.args)}`,
        status: record.status,
        durationMs: record.durationMs,
        ...(record.stack === undefined ? {} : { stack: record.stack }),
        ...(record.code === undefined ? {} : { code: record.code }),
        ...(record.message === undefined && record.deploymentId === undefined
          ? {}
          : {
              message: [record.deploymentId && `deployment ${record.deploymentId}`, record.message]
                .filter(Boolean)
                .join(': '),
            }),
      }),
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
 * client disconnects (stdio) or the process is asked to stop, then waits for the deployments this
 * instance runs before it exits: a deploy is never cut in half, whoever started it and whoever is still
 * listening. Deploy jobs live in each stack's artifacts bucket, so any instance answers for any of them.
 * On stdio, stdout is the protocol; nothing else is written there.
 */
export async function runAgentMcpServer(ctx: CliContext, flags: AgentMcpFlags): Promise<void> {
  // Checked before anything starts: a missing token is a bad invocation, not a failed deploy.
  const settings: HttpSettings | undefined =
    flags.http === undefined ? undefined : resolveHttpSettings(flags.http, ctx.env);
  const session = await openSession(ctx, flags);
  const deps = agentDeps(session, ctx);
  const stacks = deps.jobs.stacks.join(', ');
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
      ctx.stderr.write(`frontendops mcp: ready (stacks ${stacks})\n`);
      await stopped;
      await deps.jobs.settled();
      await close();
    } else {
      const stopped = stopSignal(ctx);
      const served = await serveMcpOverHttp({
        settings,
        newServer: () => createServer(deps, VERSION),
        log: (line) => ctx.stderr.write(`frontendops mcp: ${line}\n`),
      });
      ctx.stderr.write(
        `frontendops mcp: listening on ${served.url} (stacks ${stacks}; bearer token from ${TOKEN_ENV} required)\n`,
      );
      await stopped;
      await served.close();
      await deps.jobs.settled();
    }
  } finally {
    await session.close();
  }
}
