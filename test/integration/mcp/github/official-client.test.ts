import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRedactor } from '../../../../agent/src/audit/redact.js';
import { createGitBackend } from '../../../../agent/src/mcp/github/git/backend.js';
import { createOctokitBackend } from '../../../../agent/src/mcp/github/octokit/backend.js';
import { createGitHubClient } from '../../../../agent/src/mcp/github/octokit/client.js';
import { createTempGitRepo, type TempGitRepo } from '../../../support/git-repo.js';
import { FakeGitHub } from '../../../unit/mcp/github/fake-github.js';
import { connectInMemory, type InMemoryConnection } from '../../../unit/mcp/github/mcp-client.js';

/**
 * A client written against github/github-mcp-server's four read tools, run against both of our
 * backends: Octokit (the GitHub REST API, imitated over HTTP by msw) and git (a real local repository).
 * Like such a client, it reads the first text block as JSON and parses it with the official shapes —
 * written here as zod schemas from the server's Go types (pkg/github/minimal_types.go and go-github's
 * Tag, Reference, GitObject, CommitAuthor), `omitempty` fields optional, nothing else allowed.
 */

// --- the official shapes --------------------------------------------------------------------------

const MinimalCommitAuthor = z.strictObject({
  name: z.string().optional(),
  email: z.string().optional(),
  date: z.string().optional(),
});
const MinimalUser = z.strictObject({
  login: z.string(),
  id: z.number().optional(),
  profile_url: z.string().optional(),
  avatar_url: z.string().optional(),
});
const MinimalCommitFile = z.strictObject({
  filename: z.string(),
  status: z.string().optional(),
  additions: z.number().optional(),
  deletions: z.number().optional(),
  changes: z.number().optional(),
  patch: z.string().optional(),
});
const MinimalCommit = z.strictObject({
  sha: z.string(),
  html_url: z.string(),
  commit: z
    .strictObject({
      message: z.string(),
      author: MinimalCommitAuthor.optional(),
      committer: MinimalCommitAuthor.optional(),
    })
    .optional(),
  author: MinimalUser.optional(),
  committer: MinimalUser.optional(),
  stats: z
    .strictObject({
      additions: z.number().optional(),
      deletions: z.number().optional(),
      total: z.number().optional(),
    })
    .optional(),
  files: z.array(MinimalCommitFile).optional(),
});
const MinimalTag = z.strictObject({ name: z.string(), sha: z.string() });
const GitObject = z.strictObject({ type: z.string(), sha: z.string(), url: z.string() });
const Reference = z.strictObject({
  ref: z.string(),
  url: z.string(),
  object: GitObject,
  node_id: z.string().optional(),
});
const TagObject = z.strictObject({
  tag: z.string().optional(),
  sha: z.string().optional(),
  url: z.string().optional(),
  message: z.string().optional(),
  tagger: z
    .strictObject({ date: z.string().optional(), name: z.string().optional(), email: z.string().optional() })
    .optional(),
  object: GitObject.optional(),
  verification: z.strictObject({ verified: z.boolean(), reason: z.string().optional() }).optional(),
  node_id: z.string().optional(),
});

// --- the client -----------------------------------------------------------------------------------

type Call = (name: string, args: Record<string, unknown>) => Promise<CallToolResult>;

function firstJson(result: CallToolResult): unknown {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('no text content');
  return JSON.parse(first.text);
}

function officialClient(call: Call, repo: { owner: string; repo: string }) {
  return {
    listCommits: async (args: Record<string, unknown> = {}) =>
      z.array(MinimalCommit).parse(firstJson(await call('list_commits', { ...repo, ...args }))),
    listCommitFields: async (fields: string[]) =>
      z.array(MinimalCommit.partial()).parse(firstJson(await call('list_commits', { ...repo, fields }))),
    getCommit: async (sha: string, args: Record<string, unknown> = {}) =>
      MinimalCommit.parse(firstJson(await call('get_commit', { ...repo, sha, ...args }))),
    listTags: async () => z.array(MinimalTag).parse(firstJson(await call('list_tags', { ...repo }))),
    getTag: async (tag: string) =>
      z.union([Reference, TagObject]).parse(firstJson(await call('get_tag', { ...repo, tag }))),
  };
}

// --- the two backends, with the same history ------------------------------------------------------

const REPO = { owner: 'sophia-ai', repo: 'sophia' };
// A secret pasted into a commit message: built at run time, redacted by the server.
const SECRET = `ghp_${'Q7'.repeat(18)}`;

interface Scenario {
  call: Call;
  /** A: dashboard files; B: elsewhere; C: a dashboard change whose message holds SECRET. Newest last. */
  commits: { a: string; b: string; c: string };
  /** The annotated tag's own object sha (git: the tag object; GitHub: the same). */
  annotatedTagObject: string;
  backend: 'octokit' | 'git';
}

const mock = setupServer();
let octokit: Scenario;
let git: Scenario;
let repo: TempGitRepo;
let connections: InMemoryConnection[] = [];

beforeAll(async () => {
  mock.listen({ onUnhandledRequest: 'error' });
  const token = `ghp_${'t'.repeat(36)}`;
  const github = new FakeGitHub({ token });
  mock.resetHandlers(...github.handlers());
  const a = github.addCommit(
    'Dashboard: first',
    ['sophia-dashboard/a.ts', 'sophia-dashboard/b.ts'],
    'octocat',
  );
  const b = github.addCommit('API only', ['services/api.ts']);
  const c = github.addCommit(`Dashboard: rotate key ${SECRET}`, ['sophia-dashboard/a.ts'], 'octocat');
  const tagObject = github.addAnnotatedTag('dashboard-deploy-20260309-1', a, 'Deployed A');
  github.addLightweightTag('v1', c);
  const viaApi = await connectInMemory({
    backend: createOctokitBackend({ client: createGitHubClient({ token, retries: 0 }), secrets: [token] }),
    redactor: createRedactor([token]),
  });
  octokit = { call: viaApi.call, commits: { a, b, c }, annotatedTagObject: tagObject, backend: 'octokit' };

  repo = await createTempGitRepo();
  const ga = await repo.commit('Dashboard: first', {
    'sophia-dashboard/a.ts': 'export const a = 1;\n',
    'sophia-dashboard/b.ts': 'export const b = 1;\n',
  });
  const gb = await repo.commit('API only', { 'services/api.ts': 'export const ok = true;\n' });
  const gc = await repo.commit(`Dashboard: rotate key ${SECRET}`, {
    'sophia-dashboard/a.ts': 'export const a = 2;\n',
  });
  await repo.tag('dashboard-deploy-20260309-1', { target: ga, message: 'Deployed A' });
  await repo.tag('v1', { target: gc });
  const gitTagObject = (await repo.git(['rev-parse', 'refs/tags/dashboard-deploy-20260309-1'])).trim();
  const viaGit = await connectInMemory({ backend: createGitBackend({ repoPath: repo.path }) });
  git = {
    call: viaGit.call,
    commits: { a: ga, b: gb, c: gc },
    annotatedTagObject: gitTagObject,
    backend: 'git',
  };
  connections = [viaApi, viaGit];
});

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  mock.close();
  await repo?.remove();
});

describe.each(['octokit', 'git'] as const)(
  'a client of the official server, against our %s backend',
  (name) => {
    const scenario = () => (name === 'octokit' ? octokit : git);

    it('list_commits: finds the newest dashboard commit, with the official commit shape', async () => {
      const { call, commits, backend } = scenario();
      const client = officialClient(call, REPO);
      const dashboard = await client.listCommits({ path: 'sophia-dashboard/' });
      expect(dashboard.map((commit) => commit.sha)).toEqual([commits.c, commits.a]);
      const [newest] = dashboard;
      expect(newest?.commit?.message).toBe('Dashboard: rotate key [REDACTED]');
      expect(newest?.commit?.author?.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // list_commits never carries per-file detail.
      expect(newest?.stats).toBeUndefined();
      expect(newest?.files).toBeUndefined();
      if (backend === 'octokit') {
        expect(newest?.html_url).toBe(`https://github.com/sophia-ai/sophia/commit/${commits.c}`);
        expect(newest?.author?.login).toBe('octocat');
      } else {
        // A local clone has no GitHub page and no GitHub accounts (documented).
        expect(newest?.html_url).toBe('');
        expect(newest?.author).toBeUndefined();
      }
      const paged = await client.listCommits({ perPage: 1, page: 2 });
      expect(paged.map((commit) => commit.sha)).toEqual([commits.b]);
    });

    it('list_commits with fields: only the asked-for fields', async () => {
      const { call, commits } = scenario();
      const narrowed = await officialClient(call, REPO).listCommitFields(['sha', 'html_url']);
      expect(narrowed[0]).toEqual({ sha: commits.c, html_url: expect.any(String) });
    });

    it('get_commit: detail none, stats (the default, paged) and full_patch', async () => {
      const { call, commits } = scenario();
      const client = officialClient(call, REPO);
      const bare = await client.getCommit(commits.a, { detail: 'none' });
      expect(bare.sha).toBe(commits.a);
      expect(bare.stats).toBeUndefined();
      expect(bare.files).toBeUndefined();
      const stats = await client.getCommit(commits.a);
      expect(stats.stats?.additions).toBeGreaterThan(0);
      expect(stats.files?.map((file) => file.filename)).toEqual([
        'sophia-dashboard/a.ts',
        'sophia-dashboard/b.ts',
      ]);
      expect(stats.files?.every((file) => file.patch === undefined && file.status !== undefined)).toBe(true);
      const second = await client.getCommit(commits.a, { perPage: 1, page: 2 });
      expect(second.files?.map((file) => file.filename)).toEqual(['sophia-dashboard/b.ts']);
      // The stats cover the whole commit, whatever the page.
      expect(second.stats).toEqual(stats.stats);
      const patched = await client.getCommit(commits.c, { detail: 'full_patch' });
      expect(patched.files?.[0]?.patch).toMatch(/^@@ /);
    });

    it('list_tags and get_tag: the annotated tag object and the lightweight reference', async () => {
      const { call, commits, annotatedTagObject } = scenario();
      const client = officialClient(call, REPO);
      expect(await client.listTags()).toEqual(
        expect.arrayContaining([
          { name: 'dashboard-deploy-20260309-1', sha: commits.a },
          { name: 'v1', sha: commits.c },
        ]),
      );
      const annotated = TagObject.parse(await client.getTag('dashboard-deploy-20260309-1'));
      expect(annotated).toMatchObject({
        tag: 'dashboard-deploy-20260309-1',
        sha: annotatedTagObject,
        object: { type: 'commit', sha: commits.a },
        tagger: { name: expect.any(String), email: expect.any(String), date: expect.any(String) },
      });
      expect(annotated.message?.trim()).toBe('Deployed A');
      const light = Reference.parse(await client.getTag('v1'));
      expect(light).toMatchObject({ ref: 'refs/tags/v1', object: { type: 'commit', sha: commits.c } });
    });

    it('redacts the secret in every block and in structuredContent', async () => {
      const { call, commits } = scenario();
      const results = [
        await call('list_commits', { ...REPO }),
        await call('get_commit', { ...REPO, sha: commits.c, detail: 'full_patch' }),
      ];
      for (const result of results) {
        expect(JSON.stringify(result)).not.toContain(SECRET);
        expect(JSON.stringify(result.structuredContent)).toContain('[REDACTED]');
        expect(result.content).toHaveLength(2);
      }
    });

    it('refuses an argument neither server knows, naming it, instead of dropping it', async () => {
      const { call } = scenario();
      const result = await call('list_commits', { ...REPO, per_page: 5 });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/per_page/);
    });
  },
);
