import { z } from 'zod';
import type { GithubSettings } from '../config/schema.js';
import { FrontendOpsError } from '../errors.js';
import { jsonObjectIn, type ToolOutput } from '../mcp/client/results.js';
import type { ToolLayer } from './tool-layer.js';

/**
 * Typed calls to the github MCP server (design §6). Answers are parsed with zod: a server that
 * answers something else is reported as MCP_SERVER_ERROR, never half-read. Commit and tag messages
 * are untrusted repository content: they are carried as data and shown to people, never interpreted.
 */

const PersonSchema = z.looseObject({ name: z.string(), email: z.string().optional(), date: z.string() });

const CommitSchema = z.looseObject({
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  message: z.string(),
  author: PersonSchema.optional(),
  committer: PersonSchema.optional(),
});

const ListCommitsSchema = z.object({ commits: z.array(CommitSchema) });
const TagSummarySchema = z.looseObject({ name: z.string(), sha: z.string() });
const ListTagsSchema = z.object({ tags: z.array(TagSummarySchema) });
const TagDetailSchema = z.looseObject({
  name: z.string(),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  message: z.string(),
  annotated: z.boolean().optional(),
  tagger: PersonSchema.nullable().optional(),
});
const NextTagSchema = z.looseObject({ tag: z.string().min(1) });
const CreatedTagSchema = z.looseObject({ name: z.string(), sha: z.string(), created: z.boolean() });

export interface CommitInfo {
  sha: string;
  /** First line of the commit message: untrusted text, for display only. */
  subject?: string;
  date?: string;
}

export type TagDetail = z.infer<typeof TagDetailSchema>;
export type TagSummary = z.infer<typeof TagSummarySchema>;

/** Reads a tool answer: structuredContent, else a JSON text block (servers without output schemas). */
export function readAnswer<S extends z.ZodType>(
  output: ToolOutput,
  schema: S,
  server: string,
  tool: string,
): z.infer<S> {
  const candidate = output.structured ?? jsonObjectIn(output.text);
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    throw new FrontendOpsError('MCP_SERVER_ERROR', `MCP server ${server}: answered garbage to ${tool}`, {
      hint: 'The server does not answer like frontendops-github-mcp; check mcpServers and servers.* in the config, then run `frontendops doctor`.',
      data: { server, tool },
    });
  }
  return parsed.data;
}

function subjectOf(message: string): string {
  return message.split('\n')[0]?.trim() ?? '';
}

export class GithubTools {
  /**
   * @param redact applied to commit subjects as they arrive, before anything shortens them for
   * display (a cut secret is still a leaked prefix).
   */
  constructor(
    private readonly tools: ToolLayer,
    private readonly settings: GithubSettings,
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  private get repo(): { owner: string; repo: string } {
    return { owner: this.settings.owner, repo: this.settings.repo };
  }

  private async ask<S extends z.ZodType>(
    tool: string,
    args: Record<string, unknown>,
    schema: S,
  ): Promise<z.infer<S>> {
    const output = await this.tools.call('github', tool, { ...this.repo, ...args });
    return readAnswer(output, schema, this.tools.serverName('github'), tool);
  }

  /** Commits on the deploy branch touching the dashboard, newest first. */
  async dashboardCommits(perPage = 30): Promise<CommitInfo[]> {
    const answer = await this.ask(
      'list_commits',
      { sha: this.settings.branch, path: this.settings.dashboardPath, perPage },
      ListCommitsSchema,
    );
    return answer.commits.map((c) => ({
      sha: c.sha,
      subject: this.redact(subjectOf(c.message)),
      date: c.committer?.date ?? c.author?.date,
    }));
  }

  async getCommit(sha: string): Promise<CommitInfo> {
    const c = await this.ask('get_commit', { sha }, CommitSchema);
    return {
      sha: c.sha,
      subject: this.redact(subjectOf(c.message)),
      date: c.committer?.date ?? c.author?.date,
    };
  }

  async getTag(tag: string): Promise<TagDetail> {
    return this.ask('get_tag', { tag }, TagDetailSchema);
  }

  async listDeployTags(perPage = 100): Promise<TagSummary[]> {
    return (await this.ask('list_tags', { prefix: this.settings.tagPrefix, perPage }, ListTagsSchema)).tags;
  }

  /** The name the next deploy tag would get on `date` (UTC day). */
  async nextDeployTag(date: Date): Promise<string> {
    const answer = await this.ask(
      'next_deploy_tag',
      { prefix: this.settings.tagPrefix, date: date.toISOString().slice(0, 10) },
      NextTagSchema,
    );
    return answer.tag;
  }

  async createTag(tag: string, sha: string, message: string): Promise<z.infer<typeof CreatedTagSchema>> {
    return this.ask('create_tag', { tag, sha, message }, CreatedTagSchema);
  }
}
