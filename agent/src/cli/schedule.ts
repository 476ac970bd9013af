import type { Command } from 'commander';
import { dispatchIntent } from '../agent/dispatch.js';
import { withReconnect } from '../agent/reconnect.js';
import {
  cronTimer,
  type RunOutcome,
  type RunStatus,
  ScheduleLoop,
  type TickEvent,
  type Timer,
} from '../agent/schedule.js';
import type { SessionOptions } from '../agent/session.js';
import { FrontendOpsError } from '../errors.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { type CommonFlags, openSession } from './support.js';

/**
 * `frontendops schedule --cron EXPR`: runs "deploy the latest dashboard" on the timer until SIGINT or
 * SIGTERM. Unattended, so it needs `--yes` or `stacks[].autoApprove`. Each run starts the MCP servers
 * afresh (a server that crashed in one run does not poison the next) and is idempotent: a no-op when
 * the latest commit is already live. One log line per event (JSON lines with --json).
 */

export interface ScheduleFlags extends CommonFlags {
  cron: string;
  timezone?: string;
}

export interface ScheduleDeps {
  timer?: Timer;
  session?: Partial<SessionOptions>;
  onEvent?: (event: TickEvent) => void;
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

function describe(event: TickEvent): string {
  switch (event.kind) {
    case 'started':
      return `${event.at.toISOString()} run ${event.tick}: started`;
    case 'skipped':
      return `${event.at.toISOString()} run ${event.tick}: skipped, run started at ${event.runningSince.toISOString()} is still going`;
    case 'finished':
      return `${event.at.toISOString()} run ${event.tick}: ${event.outcome.status} — ${event.outcome.summary}`;
    case 'notice':
      return `${event.at.toISOString()} run ${event.tick}: ${event.message}`;
  }
}

export async function runScheduleCommand(
  ctx: CliContext,
  flags: ScheduleFlags,
  deps: ScheduleDeps = {},
): Promise<ExitCode> {
  const timer = deps.timer ?? cronTimer(flags.cron, flags.timezone ? { timezone: flags.timezone } : {});
  const session = await openSession(ctx, flags, deps.session);
  try {
    if (!flags.yes && !session.stack.autoApprove) {
      throw new FrontendOpsError(
        'REFUSED',
        `scheduled deploys of ${session.stack.name} cannot ask for confirmation`,
        {
          hint: 'Pass --yes, or set stacks[].autoApprove: true for this stack.',
        },
      );
    }
    const json = Boolean(flags.json);
    const log = (event: TickEvent) => {
      if (json) {
        ctx.stdout.write(`${JSON.stringify({ ...event, at: event.at.toISOString() })}\n`);
      } else {
        ctx.stdout.write(`${describe(event)}\n`);
      }
      deps.onEvent?.(event);
    };
    const run = async (tick: number): Promise<RunOutcome> => {
      try {
        // A sandbox restarted between runs has rewritten the config: follow it, say so in the log.
        const answer = await withReconnect(
          session,
          () =>
            dispatchIntent(
              session,
              { kind: 'deploy', target: { kind: 'latest' }, dryRun: false },
              {
                trigger: 'schedule',
                text: `schedule --cron ${flags.cron}`,
                approval: { yes: Boolean(flags.yes) },
                // The timer's configured job is the act itself: deploy the latest dashboard.
                mandate: { kind: 'explicit' },
                requester: `schedule (${session.requester()})`,
              },
            ),
          (message) => log({ kind: 'notice', tick, at: ctx.now(), message }),
        );
        const status = String(answer.json.status);
        const tag = typeof answer.json.tag === 'string' ? answer.json.tag : undefined;
        const commit = typeof answer.json.commit === 'string' ? answer.json.commit : undefined;
        return {
          status: (STATUSES as readonly string[]).includes(status) ? (status as RunStatus) : 'failed',
          summary: answer.text.split('\n')[0] ?? '',
          ...(commit ? { commit } : {}),
          ...(tag ? { tag } : {}),
          ...(answer.error ? { code: answer.error.code } : {}),
        };
      } finally {
        await session.connections.closeAll();
      }
    };
    const loop = new ScheduleLoop({ timer, run, onEvent: log, now: ctx.now });
    const next = timer.next();
    if (!json) {
      ctx.stdout.write(
        `Scheduled "deploy the latest dashboard" on ${session.stack.name} (${flags.cron})` +
          `${next ? `; next run ${next.toISOString()}` : ''}. Ctrl-C or SIGTERM stops.\n`,
      );
    }
    await new Promise<void>((resolve) => {
      const stopListening = ctx.onShutdown(() => {
        stopListening();
        void loop.stop().then(resolve);
      });
      loop.start();
    });
    return EXIT.OK;
  } finally {
    await session.close();
  }
}

export function registerScheduleCommand(program: Command, ctx: CliContext): void {
  program
    .command('schedule')
    .description(
      'Deploy the latest dashboard on a timer (long-running, never overlapping, stops on SIGTERM).',
    )
    .requiredOption('--cron <expr>', 'cron expression, e.g. "*/15 * * * *"')
    .option('--timezone <tz>', 'IANA time zone for the cron expression (default: the machine’s)')
    .option('-y, --yes', 'apply without confirmation (needed unless stacks[].autoApprove is set)')
    .option('-s, --stack <name>', 'stack to deploy (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const code = await runScheduleCommand(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
