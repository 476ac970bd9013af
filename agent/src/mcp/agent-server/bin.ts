import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dispatchIntent } from '../../agent/dispatch.js';
import { auditAnsweredRequest, openJobs } from '../../agent/fleet.js';
import { historyThroughMcp } from '../../agent/flow.js';
import { targetOf } from '../../agent/guarded.js';
import type { Session } from '../../agent/session.js';
import type { CliContext } from '../../cli/context.js';
import { type CommonFlags, openSession } from '../../cli/support.js';
import { VERSION } from '../../version.js';
import type { AgentServerDeps } from './deps.js';
import { createServer } from './server.js';

/** The tools' deps over one agent session and its deploy jobs. */
function agentDeps(session: Session, ctx: CliContext, clientName: () => string): AgentServerDeps {
  // An MCP client's approval of a destructive tool call is the confirmation (design §7).
  const approval = { yes: false, implicitBy: 'mcp-client' };
  const jobs = openJobs(session, { trigger: 'mcp', env: ctx.env, now: ctx.now });
  return {
    jobs,
    requester: () => `mcp:${clientName()}`,
    deploy: (args, stack, requester, job) =>
      dispatchIntent(
        session,
        { kind: 'deploy', target: targetOf(args), dryRun: args.dryRun ?? false },
        {
          trigger: 'mcp',
          text: `deploy_dashboard ${JSON.stringify(args)} (deployment ${job.jobId})`,
          approval,
          requester,
          stack,
          onProgress: job.onProgress,
          job,
        },
      ),
    rollback: (args, stack, requester, job) =>
      dispatchIntent(
        session,
        { kind: 'rollback', ...(args.toTag ? { to: { kind: 'tag' as const, tag: args.toTag } } : {}) },
        {
          trigger: 'mcp',
          text: `rollback_dashboard ${JSON.stringify(args)} (deployment ${job.jobId})`,
          approval,
          requester,
          stack,
          onProgress: job.onProgress,
          job,
        },
      ),
    history: async (stack, limit, requester) => {
      const flowCtx = await session.startRequest({
        trigger: 'mcp',
        text: `list_deployments releases of ${stack} (${limit})`,
        approval,
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

/**
 * `frontendops mcp`: serves the agent over stdio until the client disconnects or the process is asked
 * to stop, then waits for any deployment this instance runs before it exits (a deploy is never cut in
 * half). Deploy jobs live in each stack's artifacts bucket, so any instance answers for any of them.
 * stdout is the protocol; nothing else is written there.
 */
export async function runAgentMcpServer(ctx: CliContext, flags: CommonFlags): Promise<void> {
  const session = await openSession(ctx, flags);
  let clientName = 'client';
  const deps = agentDeps(session, ctx, () => clientName);
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
  ctx.stderr.write(`frontendops mcp: ready (stacks ${deps.jobs.stacks.join(', ')})\n`);
  await stopped;
  await close();
  await session.close();
}
