import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Real temporary git repositories for tests: create one, commit files with a message, tag, and take a
 * snapshot of refs and objects to prove that a refused request wrote nothing. git runs with argument
 * arrays, deterministic dates (one minute apart from 2026-01-01T00:00:00Z unless given) and an
 * environment that ignores the machine's global and system git config.
 */

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitOptions {
  /** Author and committer date (default: the repository's clock, one minute per commit). */
  date?: string | Date;
  author?: GitIdentity;
}

export interface RepoSnapshot {
  /** `refname objectname` lines, sorted. */
  refs: string[];
  /** Every object id in the repository, sorted. */
  objects: string[];
}

export interface TempGitRepo {
  readonly path: string;
  /** Runs `git -C <path> …args` and returns stdout. */
  git(args: readonly string[], input?: string): Promise<string>;
  /** Writes (string) or deletes (null) files, commits them all with `message`, returns the new sha. */
  commit(message: string, files: Record<string, string | null>, options?: CommitOptions): Promise<string>;
  /** An annotated tag when `message` is given, else a lightweight one; on `target` (default HEAD). */
  tag(name: string, options?: { target?: string; message?: string; date?: string | Date }): Promise<void>;
  head(): Promise<string>;
  snapshot(): Promise<RepoSnapshot>;
  remove(): Promise<void>;
}

export const TEST_IDENTITY: GitIdentity = { name: 'Test Author', email: 'author@example.test' };
const CLOCK_START = Date.parse('2026-01-01T00:00:00Z');

/** The environment for the helper's own git commands: no user config, no prompts, stable messages. */
function helperEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('GIT_')) delete env[key];
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

export function runGit(
  cwd: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-C', cwd, ...args],
      { env: helperEnv(options.env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    // git may exit before reading stdin; its exit status reports any failure.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

function gitDate(date: string | Date): string {
  const ms = typeof date === 'string' ? Date.parse(date) : date.getTime();
  return `${Math.floor(ms / 1000)} +0000`;
}

export async function createTempGitRepo(
  options: { branch?: string; identity?: GitIdentity } = {},
): Promise<TempGitRepo> {
  const path = await mkdtemp(join(tmpdir(), 'frontendops-git-'));
  const identity = options.identity ?? TEST_IDENTITY;
  await runGit(path, ['init', '--quiet', `--initial-branch=${options.branch ?? 'main'}`]);
  for (const [key, value] of [
    ['user.name', identity.name],
    ['user.email', identity.email],
    ['commit.gpgsign', 'false'],
    ['tag.gpgsign', 'false'],
  ] as const) {
    await runGit(path, ['config', key, value]);
  }
  let ticks = 0;
  const nextDate = () => new Date(CLOCK_START + 60_000 * ticks++);

  const repo: TempGitRepo = {
    path,
    git: (args, input) => runGit(path, args, input === undefined ? {} : { input }),

    async commit(message, files, commitOptions = {}) {
      for (const [file, content] of Object.entries(files)) {
        const target = join(path, file);
        if (content === null) {
          await runGit(path, ['rm', '--quiet', '--', file]);
        } else {
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, content);
          await runGit(path, ['add', '--', file]);
        }
      }
      const date = gitDate(commitOptions.date ?? nextDate());
      const author = commitOptions.author ?? identity;
      await runGit(path, ['commit', '--quiet', '--allow-empty', '--cleanup=verbatim', '--file=-'], {
        input: message,
        env: {
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_NAME: identity.name,
          GIT_COMMITTER_EMAIL: identity.email,
          GIT_COMMITTER_DATE: date,
        },
      });
      return repo.head();
    },

    async tag(name, tagOptions = {}) {
      const target = tagOptions.target ?? 'HEAD';
      if (tagOptions.message === undefined) {
        await runGit(path, ['tag', '--end-of-options', name, target]);
        return;
      }
      await runGit(
        path,
        ['tag', '--annotate', '--cleanup=verbatim', '--file=-', '--end-of-options', name, target],
        {
          input: tagOptions.message,
          env: { GIT_COMMITTER_DATE: gitDate(tagOptions.date ?? nextDate()) },
        },
      );
    },

    async head() {
      return (await runGit(path, ['rev-parse', 'HEAD'])).trim();
    },

    async snapshot() {
      const refs = (await runGit(path, ['for-each-ref', '--format=%(refname) %(objectname)']))
        .split('\n')
        .filter((line) => line !== '')
        .sort();
      const objects = (await runGit(path, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)']))
        .split('\n')
        .filter((line) => line !== '')
        .sort();
      return { refs, objects };
    },

    remove: () => rm(path, { recursive: true, force: true }),
  };
  return repo;
}

export interface DashboardHistory {
  /** Every commit, oldest first. */
  all: string[];
  /** Commits touching `sophia-dashboard/`, oldest first. */
  dashboard: string[];
  /** The newest commit touching `sophia-dashboard/`. */
  latestDashboard: string;
  head: string;
}

/**
 * A small history as the deploy flow sees it: commits touching `sophia-dashboard/` interleaved with
 * commits elsewhere, the newest commit NOT touching the dashboard.
 */
export async function seedDashboardHistory(repo: TempGitRepo): Promise<DashboardHistory> {
  const readme = await repo.commit('Initial commit', { 'README.md': '# sophia\n' });
  const first = await repo.commit('dashboard: first page', {
    'sophia-dashboard/package.json': '{"name":"sophia-dashboard"}\n',
    'sophia-dashboard/src/App.tsx': 'export const App = () => null;\n',
  });
  const api = await repo.commit('api: health endpoint', {
    'services/api/health.ts': 'export const ok = true;\n',
  });
  const charts = await repo.commit('dashboard: charts', {
    'sophia-dashboard/src/Charts.tsx': 'export const Charts = () => null;\n',
  });
  const docs = await repo.commit('docs: deploy notes', { 'docs/deploy.md': 'notes\n' });
  return {
    all: [readme, first, api, charts, docs],
    dashboard: [first, charts],
    latestDashboard: charts,
    head: docs,
  };
}
