import { z } from 'zod';
import { CommitSchema, CreatedTagSchema, TagDetailSchema, TagSummarySchema } from './backend.js';
import { COMMIT_FIELDS } from './official.js';

/**
 * One zod schema per tool input and output. Names and inputs follow github/github-mcp-server
 * (`owner`, `repo`, `sha`, `path`, `author`, `since`, `until`, `perPage`, `page`) so a client written for
 * the official server works unchanged; `create_tag` and `next_deploy_tag` are ours. The schemas check
 * types and ranges; the meaning of each string (ref rules, sha form, paths) is checked by validate.ts,
 * which answers with a FrontendOpsError code the agent can act on.
 *
 * Every input is strict: an argument this server does not know (a typo such as `per_page`, or an
 * argument of some other server) is refused with a message naming it, never silently dropped. The
 * official server's own arguments are all honoured (`fields`, `detail`, `page` and `perPage` of
 * get_commit included).
 */

const owner = z.string().describe('Repository owner (user or organisation), e.g. "sophia-ai"');
const repo = z.string().describe('Repository name, e.g. "sophia"');
const perPage = z
  .number()
  .int()
  .min(1)
  .max(100)
  .optional()
  .describe('Results per page (min 1, max 100, default 30)');
const page = z.number().int().min(1).optional().describe('Page number, 1-based (default 1)');

export const ListCommitsInput = z.strictObject({
  owner,
  repo,
  sha: z
    .string()
    .optional()
    .describe(
      'Commit SHA, branch or tag name to list commits of. Default: the default branch (git backend: HEAD)',
    ),
  path: z.string().optional().describe('Only commits touching this path, e.g. "sophia-dashboard/"'),
  author: z.string().optional().describe('Only commits by this author (GitHub login or e-mail)'),
  since: z.string().optional().describe('Only commits after this ISO 8601 date'),
  until: z.string().optional().describe('Only commits before this ISO 8601 date'),
  fields: z
    .array(z.enum(COMMIT_FIELDS))
    .optional()
    .describe(
      'Subset of fields of each commit in the JSON text result (e.g. just "sha" and "html_url"). The ' +
        'structured result always has every field.',
    ),
  perPage,
  page,
});
export type ListCommitsInput = z.infer<typeof ListCommitsInput>;

export const ListCommitsOutput = z.object({
  commits: z.array(CommitSchema).describe('Newest first'),
});

export const COMMIT_DETAIL_LEVELS = ['none', 'stats', 'full_patch'] as const;

export const GetCommitInput = z.strictObject({
  owner,
  repo,
  sha: z.string().describe('Commit SHA, branch name or tag name'),
  detail: z
    .enum(COMMIT_DETAIL_LEVELS)
    .optional()
    .describe(
      'Changed files in the JSON text result: "none" omits stats and files, "stats" (default) adds stats ' +
        'and per-file counts, "full_patch" also each file\'s diff (can be very large).',
    ),
  perPage: perPage.describe('Changed files per page (min 1, max 100, default 30)'),
  page: page.describe('Page of changed files, 1-based (default 1)'),
});
export type GetCommitInput = z.infer<typeof GetCommitInput>;

export const GetCommitOutput = CommitSchema;

export const ListTagsInput = z.strictObject({
  owner,
  repo,
  prefix: z.string().optional().describe('Only tags whose name starts with this, e.g. "dashboard-deploy-"'),
  perPage,
  page,
});
export type ListTagsInput = z.infer<typeof ListTagsInput>;

export const ListTagsOutput = z.object({
  tags: z
    .array(TagSummarySchema)
    .describe('Sorted by name, version-aware, highest first (deploy tags: newest first)'),
});

export const GetTagInput = z.strictObject({ owner, repo, tag: z.string().describe('Tag name') });
export type GetTagInput = z.infer<typeof GetTagInput>;

export const GetTagOutput = TagDetailSchema;

export const CreateTagInput = z.strictObject({
  owner,
  repo,
  tag: z.string().describe('Tag name, checked by git ref rules, e.g. "dashboard-deploy-20260101-1"'),
  sha: z.string().describe('Full 40-character commit SHA to tag'),
  message: z.string().describe('Annotated tag message'),
});
export type CreateTagInput = z.infer<typeof CreateTagInput>;

export const CreateTagOutput = CreatedTagSchema;

export const NextDeployTagInput = z.strictObject({
  owner,
  repo,
  prefix: z
    .string()
    .optional()
    .describe('Tag prefix (default "dashboard-deploy-"); the tag is <prefix>YYYYMMDD-N'),
  date: z
    .string()
    .optional()
    .describe('The deploy date (YYYY-MM-DD, YYYYMMDD or ISO date-time; its UTC date). Default: today, UTC'),
  sha: z
    .string()
    .optional()
    .describe(
      'With message: also create the tag on this full commit SHA, taking the next N if another deploy wins',
    ),
  message: z.string().optional().describe('With sha: the annotated tag message'),
});
export type NextDeployTagInput = z.infer<typeof NextDeployTagInput>;

export const NextDeployTagOutput = z.object({
  tag: z.string(),
  sha: z.string().optional().describe('Only when created: the tagged commit'),
  created: z
    .boolean()
    .optional()
    .describe('Only with sha: true if created now, false if this request had already created it'),
});
