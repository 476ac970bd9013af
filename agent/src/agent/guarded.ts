import { z } from 'zod';
import type { DeployIntent, DeployTarget, RollbackIntent } from './intent.js';

/**
 * The guarded steps' arguments, shared by the model's tools and the `frontendops mcp` server. Strict
 * shapes: a commit is hex, a tag is a git-ref-safe name; anything else (a shell string, a path, a URL)
 * is refused before it reaches the flow.
 */

export const ShaArg = z
  .string()
  .regex(/^[0-9a-f]{7,40}$/, 'a commit is 7 to 40 lowercase hex characters')
  .describe('A commit sha (7 to 40 hex characters). Omit to deploy the latest built dashboard commit.');

export const TagArg = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a tag is letters, digits, ".", "_" and "-"')
  .refine((t) => !t.includes('..') && !t.endsWith('.lock'), 'not a valid tag name')
  .describe('A deploy tag, e.g. dashboard-deploy-20261123-1');

export const DeployArgs = z
  .object({
    commit: ShaArg.optional(),
    tag: TagArg.optional(),
    dryRun: z.boolean().optional().describe('Only show what would change; change nothing.'),
  })
  .strict()
  .refine((a) => !(a.commit && a.tag), 'give a commit or a tag, not both');
export type DeployArgs = z.infer<typeof DeployArgs>;

export const RollbackArgs = z
  .object({
    toTag: TagArg.optional().describe('Deploy tag to go back to. Omit for the release before the live one.'),
    toCommit: ShaArg.optional().describe('Commit to go back to (it must have a complete build).'),
    dryRun: z.boolean().optional().describe('Only show what the rollback would change; change nothing.'),
  })
  .strict()
  .refine((a) => !(a.toTag && a.toCommit), 'give toTag or toCommit, not both');
export type RollbackArgs = z.infer<typeof RollbackArgs>;

export const HistoryArgs = z
  .object({ limit: z.number().int().min(1).max(50).optional().describe('How many deploys (default 10).') })
  .strict();

export function targetOf(args: DeployArgs): DeployTarget {
  if (args.commit) return { kind: 'commit', sha: args.commit };
  if (args.tag) return { kind: 'tag', tag: args.tag };
  return { kind: 'latest' };
}

/** The typed request a tool call makes; `dryRun` travels with it to the flow. */
export function deployIntentOf(args: DeployArgs): DeployIntent {
  return { kind: 'deploy', target: targetOf(args), dryRun: args.dryRun ?? false };
}

export function rollbackIntentOf(args: RollbackArgs): RollbackIntent {
  const dryRun = args.dryRun ?? false;
  if (args.toTag) return { kind: 'rollback', to: { kind: 'tag', tag: args.toTag }, dryRun };
  if (args.toCommit) return { kind: 'rollback', to: { kind: 'commit', sha: args.toCommit }, dryRun };
  return { kind: 'rollback', dryRun };
}
