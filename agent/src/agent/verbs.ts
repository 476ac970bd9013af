import { z } from 'zod';
import type { CliContext } from '../cli/context.js';
import type { ExitCode } from '../cli/exit-codes.js';
import { parseWith } from '../validation.js';
import {
  type CommonFlags,
  openSession,
  printAnswer,
  progressPrinter,
  terminalApproval,
} from './cli-support.js';
import { dispatchIntent } from './dispatch.js';
import { TagArg } from './guarded.js';
import type { Intent } from './intent.js';

/** `rollback`, `status`, `history`: the CLI verbs for intents the router also understands in words. */

async function runVerb(ctx: CliContext, flags: CommonFlags, intent: Intent, text: string): Promise<ExitCode> {
  const json = Boolean(flags.json);
  const session = await openSession(ctx, flags);
  try {
    const onProgress = progressPrinter(ctx, json);
    const answer = await dispatchIntent(session, intent, {
      trigger: 'cli',
      text,
      approval: terminalApproval(ctx, flags),
      ...(onProgress ? { onProgress } : {}),
    });
    return printAnswer(ctx, answer, json);
  } finally {
    await session.close();
  }
}

export interface RollbackFlags extends CommonFlags {
  to?: string;
  dryRun?: boolean;
}

export async function runRollback(ctx: CliContext, flags: RollbackFlags): Promise<ExitCode> {
  const to = flags.to === undefined ? undefined : parseWith(TagArg, flags.to, 'BAD_INPUT', '--to');
  const intent: Intent = {
    kind: 'rollback',
    ...(to === undefined ? {} : { to: { kind: 'tag', tag: to } }),
    dryRun: Boolean(flags.dryRun),
  };
  const text = `rollback${to ? ` --to ${to}` : ''}${flags.dryRun ? ' --dry-run' : ''}`;
  return runVerb(ctx, flags, intent, text);
}

export function runStatus(ctx: CliContext, flags: CommonFlags): Promise<ExitCode> {
  return runVerb(ctx, flags, { kind: 'status' }, 'status');
}

const LimitSchema = z
  .string()
  .regex(/^\d+$/, 'expected a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

export function runHistory(ctx: CliContext, flags: CommonFlags & { limit?: string }): Promise<ExitCode> {
  const limit = parseWith(LimitSchema, flags.limit ?? '10', 'BAD_INPUT', '--limit');
  return runVerb(ctx, flags, { kind: 'history', limit }, `history --limit ${limit}`);
}
