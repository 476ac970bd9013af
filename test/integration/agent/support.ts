import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type AuditEntry, parseAuditLog } from '../../../agent/src/audit/log.js';
import type { CliContext } from '../../../agent/src/cli/context.js';
import { publishBuild } from '../../../agent/src/deploy/publish.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import type { Sandbox } from '../../../agent/src/sandbox/index.js';
import { runGit } from '../../support/git-repo.js';
import { sandboxS3Client } from '../../support/sandbox.js';

/** Helpers for the agent's sandbox tests: synthetic builds, commits in the scratch repo, the CLI. */

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const CLI = join(ROOT, 'agent', 'bin', 'frontendops.js');

/** Secret values planted in the environment of runs whose outputs are scanned for them. */
export const PLANTED = {
  GITHUB_TOKEN: 'ghp_plantedPlantedPlanted0123456789abcdef',
  AWS_SECRET_ACCESS_KEY: 'planted/Secret+Access+Key/0123456789abcdEF',
  FRONTENDOPS_TEST_API_KEY: 'no-shape-at-all-planted-value-42',
} as const;

export function syncOf(sandbox: Sandbox) {
  return parseSyncCommand(
    `aws s3 sync s3://${sandbox.info.artifactsBucket}/builds/{commit}/site/ s3://${sandbox.info.hostingBucket}/ --delete`,
  );
}

/** A small built site for `commit`: index.html, a content-hashed asset, version.json naming the commit. */
export async function makeSite(commit: string, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fo-site-'));
  const js = `console.log(${JSON.stringify(label)});\n`;
  const hash = createHash('sha256').update(js).digest('hex').slice(0, 8);
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'assets', `app-${hash}.js`), js);
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><title>${label}</title><script src="/assets/app-${hash}.js"></script>\n`,
  );
  await writeFile(join(dir, 'version.json'), JSON.stringify({ commit, builtAt: '2026-11-23T09:00:00Z' }));
  return dir;
}

export async function publishSite(sandbox: Sandbox, commit: string, label: string): Promise<void> {
  const dir = await makeSite(commit, label);
  const s3 = sandboxS3Client(sandbox);
  try {
    await publishBuild(
      { s3 },
      {
        dir,
        commit,
        sync: syncOf(sandbox),
        stackBuckets: sandbox.info,
        cacheRules: [],
        concurrency: 4,
      },
    );
  } finally {
    s3.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Commits a change under sophia-dashboard/ in the sandbox's scratch repo; returns the sha. */
export async function commitDashboardChange(
  sandbox: Sandbox,
  file: string,
  message: string,
): Promise<string> {
  const repo = sandbox.info.repoPath;
  await mkdir(join(repo, 'sophia-dashboard'), { recursive: true });
  await writeFile(join(repo, 'sophia-dashboard', file), `${message}\n`);
  await runGit(repo, ['add', '--', `sophia-dashboard/${file}`]);
  await runGit(repo, ['commit', '--quiet', '--no-verify', '-m', message]);
  return (await runGit(repo, ['rev-parse', 'HEAD'])).trim();
}

export async function headOf(sandbox: Sandbox): Promise<string> {
  return (await runGit(sandbox.info.repoPath, ['rev-parse', 'HEAD'])).trim();
}

export async function tagsIn(sandbox: Sandbox): Promise<Array<{ name: string; sha: string }>> {
  const out = await runGit(sandbox.info.repoPath, [
    'for-each-ref',
    '--format=%(refname:short) %(*objectname)%(objectname)',
    'refs/tags',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [name, ids] = l.split(' ');
      // Annotated: "<peeled commit><tag object>" (80 chars); the first 40 are the commit.
      return { name: name ?? '', sha: (ids ?? '').slice(0, 40) };
    });
}

export async function tagMessage(sandbox: Sandbox, tag: string): Promise<string> {
  return runGit(sandbox.info.repoPath, ['tag', '-l', '--format=%(contents)', tag]);
}

export function todayStamp(now = new Date()): string {
  return now.toISOString().slice(0, 10).replaceAll('-', '');
}

export async function readAudit(dir: string): Promise<AuditEntry[]> {
  return parseAuditLog(await readFile(join(dir, 'audit.jsonl'), 'utf8'));
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a CLI run gets: PATH/HOME plus the planted secrets (and whatever the test adds). */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    USER: 'release-manager',
    ...PLANTED,
    ...extra,
  };
}

export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return new Promise<CliRun>((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: options.env ?? cliEnv(), cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** An in-process CLI context with captured output and a shutdown the test can trigger. */
export function testContext(env: NodeJS.ProcessEnv = cliEnv()): {
  ctx: CliContext;
  out: () => string;
  err: () => string;
  stdin: PassThrough;
  shutdown: () => void;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  stderr.on('data', (chunk) => {
    err += String(chunk);
  });
  const listeners = new Set<() => void>();
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin,
    env,
    cwd: ROOT,
    now: () => new Date(),
    isTTY: false,
    onShutdown: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    ctx,
    out: () => out,
    err: () => err,
    stdin,
    shutdown: () => {
      for (const l of [...listeners]) l();
    },
  };
}

export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

/** Every planted secret value that occurs in `text`. */
export function leakedSecrets(text: string): string[] {
  return Object.values(PLANTED).filter((secret) => text.includes(secret));
}
