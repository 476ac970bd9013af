import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { type CommonFlags, runVerb } from './support.js';

export function runStatus(ctx: CliContext, flags: CommonFlags): Promise<ExitCode> {
  return runVerb(ctx, flags, { kind: 'status' }, 'status');
}

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description("Say what's live, and whether the latest dashboard commit is it.")
    .option('-s, --stack <name>', 'stack to look at (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const code = await runStatus(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
