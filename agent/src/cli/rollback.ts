import type { Command } from 'commander';
import { TagArg } from '../agent/guarded.js';
import type { Intent } from '../agent/intent.js';
import { parseWith } from '../validation.js';
import type { CliContext } from './context.js';
import type { ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { type CommonFlags, runVerb } from './support.js';

export interface RollbackFlags extends CommonFlags {
  to?: string;
  dryRun?: boolean;
}

export function runRollback(ctx: CliContext, flags: RollbackFlags): Promise<ExitCode> {
  const to = flags.to === undefined ? undefined : parseWith(TagArg, flags.to, 'BAD_INPUT', '--to');
  const intent: Intent = {
    kind: 'rollback',
    ...(to === undefined ? {} : { to: { kind: 'tag', tag: to } }),
    dryRun: Boolean(flags.dryRun),
  };
  const text = `rollback${to ? ` --to ${to}` : ''}${flags.dryRun ? ' --dry-run' : ''}`;
  return runVerb(ctx, flags, intent, text);
}

export function registerRollbackCommand(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('Roll the dashboard back: to the release before the live one, or to a deploy tag.')
    .option('--to <tag>', 'deploy tag to go back to (e.g. dashboard-deploy-20261122-2)')
    .option('--dry-run', 'only show what would change')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const code = await runRollback(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
