import type { Command } from 'commander';
import type { CliContext } from './context.js';
import type { ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import {
  type CommonFlags,
  openSession,
  printAnswer,
  progressPrinter,
  runVerb,
  terminalApproval,
} from './support.js';

export interface StatusFlags extends CommonFlags {
  /** Finish the stack's unfinished release (its missing steps), if there is one. */
  finish?: boolean;
}

export async function runStatus(ctx: CliContext, flags: StatusFlags): Promise<ExitCode> {
  if (!flags.finish) return runVerb(ctx, flags, { kind: 'status' }, 'status');
  const json = Boolean(flags.json);
  const session = await openSession(ctx, flags);
  try {
    const { dispatchFinish } = await import('../agent/dispatch.js');
    const onProgress = progressPrinter(ctx, json);
    const stdin = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
    const interactive = ctx.isTTY && stdin.isTTY === true;
    const answer = await dispatchFinish(session, {
      trigger: 'cli',
      text: `status --finish${flags.yes ? ' --yes' : ''}`,
      mandate: { kind: 'explicit' },
      // Finishing goes live: it asks on a terminal, and without one it refuses rather than wait on stdin.
      approval: flags.yes || interactive ? terminalApproval(ctx, flags) : { yes: false },
      ...(onProgress ? { onProgress } : {}),
    });
    return printAnswer(ctx, answer, json);
  } finally {
    await session.close();
  }
}

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(
      "Say what's live, whether the latest dashboard commit is it, who holds the deploy lock, and which release is unfinished.",
    )
    .option('-s, --stack <name>', 'stack to look at (default: the only one configured)')
    .option(
      '--finish',
      "finish the stack's unfinished release: run its missing steps (exit 4 if some still fail)",
    )
    .option('-y, --yes', 'with --finish: do not ask for confirmation')
    .action(async (_options: unknown, command: Command) => {
      const code = await runStatus(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
