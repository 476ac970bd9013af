import type { Command } from 'commander';
import type { Answer } from '../agent/dispatch.js';
import type { UnlockHolder, UnlockResult } from '../agent/unlock.js';
import type { CliContext } from './context.js';
import type { ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { askLine, type CommonFlags, isYes, openSession, printAnswer } from './support.js';

/**
 * `frontendops unlock --stack S [--force [--yes]]`: releases a stale deploy lock. Shows the holder and
 * the lock's age by S3's clock; a fresh lock needs `--force`, confirmed on the terminal or by `--yes`.
 */
export interface UnlockFlags extends CommonFlags {
  force?: boolean;
}

function interactive(ctx: CliContext): boolean {
  const stdin = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  return ctx.isTTY && stdin.isTTY === true;
}

function holderLine(holder: UnlockHolder): string {
  return `held by ${holder.description}`;
}

export function formatUnlock(result: UnlockResult): string {
  if (result.status === 'noop') return `Nothing to do — ${result.stack} is not locked.`;
  const holder = result.holder;
  return `Unlocked ${result.stack}: released the ${result.forced ? 'fresh (forced)' : 'stale'} lock ${
    holder ? holderLine(holder) : ''
  }.`;
}

export async function runUnlock(ctx: CliContext, flags: UnlockFlags): Promise<ExitCode> {
  const json = Boolean(flags.json);
  const session = await openSession(ctx, flags);
  try {
    const [{ dispatchFlow }, { unlockThroughMcp }] = await Promise.all([
      import('../agent/dispatch.js'),
      import('../agent/unlock.js'),
    ]);
    const confirmForce = flags.yes
      ? async () => true
      : interactive(ctx)
        ? async (holder: UnlockHolder) =>
            isYes(
              await askLine(
                ctx,
                `The lock of ${session.stack.name} is ${holderLine(holder)}.\nForce-release it? A deploy still running would lose its lock and stop. [y/N] `,
                json,
              ),
            )
        : undefined;
    const answer = await dispatchFlow(
      session,
      {
        trigger: 'cli',
        text: `unlock --stack ${session.stack.name}${flags.force ? ' --force' : ''}${flags.yes ? ' --yes' : ''}`,
        approval: { yes: Boolean(flags.yes) },
        mandate: { kind: 'explicit' },
      },
      async (flowCtx): Promise<Answer> => {
        const result = await unlockThroughMcp(flowCtx, {
          force: Boolean(flags.force),
          ...(confirmForce ? { confirmForce } : {}),
        });
        return { ok: true, text: formatUnlock(result), json: { ...result } };
      },
    );
    return printAnswer(ctx, answer, json);
  } finally {
    await session.close();
  }
}

export function registerUnlockCommand(program: Command, ctx: CliContext): void {
  program
    .command('unlock')
    .description(
      "Release a stale deploy lock: shows its holder and age (by S3's clock); a fresh one needs --force.",
    )
    .option('-s, --stack <name>', 'stack whose lock to release (default: the only one configured)')
    .option('--force', 'release the lock even though it has not expired (asks first)')
    .option('-y, --yes', 'with --force: do not ask')
    .action(async (_options: unknown, command: Command) => {
      const code = await runUnlock(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
