import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CommandExit } from './output.js';

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
      const { runScheduleCommand } = await import('../agent/schedule-command.js');
      const code = await runScheduleCommand(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
