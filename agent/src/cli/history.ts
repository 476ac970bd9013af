import type { Command } from 'commander';
import { z } from 'zod';
import { parseWith } from '../validation.js';
import type { CliContext } from './context.js';
import type { ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { type CommonFlags, runVerb } from './support.js';

const LimitSchema = z
  .string()
  .regex(/^\d+$/, 'expected a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

export function runHistory(ctx: CliContext, flags: CommonFlags & { limit?: string }): Promise<ExitCode> {
  const limit = parseWith(LimitSchema, flags.limit ?? '10', 'BAD_INPUT', '--limit');
  return runVerb(ctx, flags, { kind: 'history', limit }, `history --limit ${limit}`);
}

export function registerHistoryCommand(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .description('List recent deploys, newest first (release records and deploy tags).')
    .option('-n, --limit <n>', 'how many deploys to show (1-100)', '10')
    .option('-s, --stack <name>', 'stack to look at (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const code = await runHistory(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
