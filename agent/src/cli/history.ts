import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CommandExit } from './output.js';

export function registerHistoryCommand(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .description('List recent deploys, newest first (release records and deploy tags).')
    .option('-n, --limit <n>', 'how many deploys to show (1-100)', '10')
    .option('-s, --stack <name>', 'stack to look at (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const { runHistory } = await import('../agent/verbs.js');
      const code = await runHistory(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
