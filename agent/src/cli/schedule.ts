import type { Command } from 'commander';
import type { JobCoordinator } from '../agent/jobs.js';
import type { RunOutcome, RunStatus, TickEvent, Timer } from '../agent/schedule.js';
import type { Session, SessionOptions } from '../agent/session.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { errorStatus, formatErrorText } from '../outcome.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { type CommonFlags, openSession } from './support.js';

/**
 * `frontendops schedule --cron EXPR`: runs "deploy the latest dashboard" on the timer, for every
 * configured stack (or `--stack S`), until SIGINT or SIGTERM. Unattended, so each stack needs `--yes`
 * or `stacks[].autoApprove`. Each run is a deploy job in the stack's artifacts bucket, so several
 * instances can run the same schedule: the stack's lock lets one deploy a new commit; the others report
 * "already being deployed by …" or "already live", never a second deploy. Per stack, runs never overlap
 * (a tick during a run is skipped and reported). Each run starts the MCP servers afresh (a server that
 * crashed in one run does not poison the next). One log line per event (JSON lines with --json).
 */

export interface ScheduleFlags extends CommonFlags {
  cron: string;
  timezone?: string;
}

export interface ScheduleDeps {
  timer?: Timer;
  session?: Partial<SessionOptions>;
  onEvent?: (event: TickEvent & { stack: string }) => void;
}

const STATUSES: readonly RunStatus[] = [
  'deployed',
  'noop',
  'planned',
  'incomplete',
  'rolled_back',
  'refused',
  'cancelled',
  'failed',
];

function describe(event: TickEvent, stack: string | undefined): string {
  const run = `${event.at.toISOString()} ${stack === undefined ? '' : `${stack} `}run ${event.tick}`;
  switch (event.kind) {
    case 'started':
      return `${run}: started`;
    case 'skipped':
      return `${run}: skipped, run started at ${event.runningSince.toISOString()} is still going`;
    case 'finished':
      return `${run}: ${event.outcome.status} — ${event.outcome.summary}`;
    case 'notice':
      return `${run}: ${event.message}`;
  }
}

/** The stacks the timer deploys: `--stack`, or all; each must be allowed to deploy unattended. */
function scheduledStacks(session: Session, flags: ScheduleFlags): string[] {
  const stacks = flags.stack === undefined ? session.config.stacks : [session.stackFor(flags.stack)];
  const unattended = stacks.filter((s) => !flags.yes && !s.autoApprove).map((s) => s.name);
  if (unattended.length > 0) {
    throw new FrontendOpsError(
      'REFUSED',
      `scheduled deploys of ${unattended.join(', ')} cannot ask for confirmation`,
      { hint: 'Pass --yes, or set stacks[].autoApprove: true for these stacks.' },
    );
  }
  return stacks.map((s) => s.name);
}

/** One scheduled run of one stack: a deploy job, waited for; a busy stack is an outcome, not an error. */
async function runStack(
  session: Session,
  jobs: JobCoordinator,
  stack: string,
  flags: ScheduleFlags,
  notify: (message: string) => void,
): Promise<RunOutcome> {
  const requester = `schedule (${session.requester()})`;
  const text = `schedule --cron ${flags.cron}`;
  const started = performance.now();
  // Loaded on use (see commands.ts); after the first run these come from the module cache.
  const [{ dispatchIntent }, { auditAnsweredRequest }, { followConfig, withReconnect }] = await Promise.all([
    import('../agent/dispatch.js'),
    import('../agent/fleet.js'),
    import('../agent/reconnect.js'),
  ]);
  // A sandbox restarted between runs has rewritten the config: follow it, say so in the log.
  const broken = await followConfig(session, notify);
  if (broken) {
    return {
      status: 'failed',
      summary: broken.text.split('\n')[0] ?? '',
      ...(broken.error ? { code: broken.error.code } : {}),
    };
  }
  let deploymentId: string;
  try {
    const job = await jobs.start({
      stack,
      kind: 'deploy',
      request: { stack, cron: flags.cron },
      trigger: 'schedule',
      requestedBy: requester,
      run: (job) =>
        withReconnect(
          session,
          () =>
            dispatchIntent(
              session,
              { kind: 'deploy', target: { kind: 'latest' }, dryRun: false },
              {
                trigger: 'schedule',
                text: `${text} (deployment ${job.jobId})`,
                approval: { yes: Boolean(flags.yes) },
                // The timer's configured job is the act itself: deploy the latest dashboard.
                mandate: { kind: 'explicit' },
                requester,
                stack,
                onProgress: job.onProgress,
                job,
              },
            ),
          notify,
        ),
    });
    deploymentId = job.jobId;
  } catch (error) {
    // Refused before a job existed (the stack is being deployed elsewhere): said and audited here.
    const err = toFrontendOpsError(error);
    const status = errorStatus(err.code);
    await auditAnsweredRequest(session, {
      trigger: 'schedule',
      requester,
      text,
      stack,
      status,
      code: err.code,
      message: err.message,
      durationMs: Math.round(performance.now() - started),
    }).catch(() => undefined);
    return {
      status,
      summary: formatErrorText(err).split('\n')[0] ?? '',
      code: err.code,
    };
  }
  const job = await jobs.finished(deploymentId);
  const status = (STATUSES as readonly string[]).includes(job.status) ? (job.status as RunStatus) : 'failed';
  return {
    status,
    summary: job.summary ?? '',
    deploymentId,
    ...(job.commit ? { commit: job.commit } : {}),
    ...(job.tag ? { tag: job.tag } : {}),
    ...(job.error ? { code: job.error.code } : {}),
  };
}

export async function runScheduleCommand(
  ctx: CliContext,
  flags: ScheduleFlags,
  deps: ScheduleDeps = {},
): Promise<ExitCode> {
  // Loaded on use (see commands.ts). A bad cron expression is refused before anything starts.
  const { cronTimer, fanOutTimer, ScheduleLoop } = await import('../agent/schedule.js');
  const timer = deps.timer ?? cronTimer(flags.cron, flags.timezone ? { timezone: flags.timezone } : {});
  const session = await openSession(ctx, flags, deps.session);
  try {
    const stacks = scheduledStacks(session, flags);
    const { openJobs } = await import('../agent/fleet.js');
    const jobs = openJobs(session, { trigger: 'schedule', env: ctx.env, now: ctx.now });
    const json = Boolean(flags.json);
    // One stack prints as it always did; several name their stack on every line.
    const label = stacks.length > 1 ? (stack: string) => stack : () => undefined;
    const log = (stack: string) => (event: TickEvent) => {
      if (json) {
        ctx.stdout.write(`${JSON.stringify({ ...event, stack, at: event.at.toISOString() })}\n`);
      } else {
        ctx.stdout.write(`${describe(event, label(stack))}\n`);
      }
      deps.onEvent?.({ ...event, stack });
    };
    const timers = fanOutTimer(timer)(stacks.length);
    const loops = stacks.map(
      (stack, i) =>
        new ScheduleLoop({
          timer: timers[i] ?? timer,
          run: async (tick) => {
            try {
              return await runStack(session, jobs, stack, flags, (message) =>
                log(stack)({ kind: 'notice', tick, at: ctx.now(), message }),
              );
            } finally {
              // Servers are started afresh for the next run, once no other stack's run uses them.
              if (jobs.runningHere().length === 0) await session.connections.closeAll();
            }
          },
          onEvent: log(stack),
          now: ctx.now,
        }),
    );
    const next = timer.next();
    if (!json) {
      ctx.stdout.write(
        `Scheduled "deploy the latest dashboard" on ${stacks.join(', ')} (${flags.cron})` +
          `${next ? `; next run ${next.toISOString()}` : ''}. Ctrl-C or SIGTERM stops.\n`,
      );
    }
    await new Promise<void>((resolve) => {
      const stopListening = ctx.onShutdown(() => {
        stopListening();
        void Promise.all(loops.map((loop) => loop.stop())).then(() => resolve());
      });
      for (const loop of loops) loop.start();
    });
    await jobs.settled();
    return EXIT.OK;
  } finally {
    await session.close();
  }
}

export function registerScheduleCommand(program: Command, ctx: CliContext): void {
  program
    .command('schedule')
    .description(
      'Deploy the latest dashboard on a timer to every configured stack (long-running, never overlapping per stack, stops on SIGTERM).',
    )
    .requiredOption('--cron <expr>', 'cron expression, e.g. "*/15 * * * *"')
    .option('--timezone <tz>', 'IANA time zone for the cron expression (default: the machine’s)')
    .option('-y, --yes', 'apply without confirmation (needed unless stacks[].autoApprove is set)')
    .option('-s, --stack <name>', 'only this stack (default: every configured stack)')
    .action(async (_options: unknown, command: Command) => {
      const code = await runScheduleCommand(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
