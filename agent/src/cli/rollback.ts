import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CommandExit } from './output.js';

export function registerRollbackCommand(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('Roll the dashboard back: to the release before the live one, or to a deploy tag.')
    .option('--to <tag>', 'deploy tag to go back to (e.g. dashboard-deploy-20261122-2)')
    .option('--dry-run', 'only show what would change')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const { runRollback } = await import('../agent/verbs.js');
      const code = await runRollback(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
