import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CommandExit } from './output.js';

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description("Say what's live, and whether the latest dashboard commit is it.")
    .option('-s, --stack <name>', 'stack to look at (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const { runStatus } = await import('../agent/verbs.js');
      const code = await runStatus(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
