import { execFile, spawn } from 'node:child_process';
import { FrontendOpsError } from '../errors.js';

/**
 * git for the demo, always with argument arrays. In the user's checkout the demo only reads (it never
 * commits, tags, or touches the index); the one write, `pointBranchAt`, goes to the sandbox's scratch repo.
 */

export interface GitResult {
  stdout: string;
}

/** Runs git in `cwd`; injected so the pure parts can be tested without a repository. */
export type RunGit = (cwd: string, args: readonly string[]) => Promise<GitResult>;

/**
 * The caller's environment without GIT_* variables (a GIT_DIR or GIT_INDEX_FILE inherited from a hook
 * would point git at another repository or index), never prompting. The user's own git config stays in
 * effect: `safe.directory` may be what lets git read their checkout at all.
 */
export function demoGitEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('GIT_')) clean[key] = value;
  return { ...clean, GIT_TERMINAL_PROMPT: '0' };
}

export const runGit: RunGit = (cwd, args) =>
  new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd, env: demoGitEnv(), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim();
          reject(
            new FrontendOpsError('GIT_ERROR', `git ${args[0]} failed${detail ? `: ${detail}` : ''}`, {
              hint: 'The demo needs git on PATH and a git checkout of the project.',
              cause: error,
            }),
          );
        } else {
          resolve({ stdout });
        }
      },
    );
  });

/**
 * Paths from `git status --porcelain=v1 -z`: two status letters, a space, the path, NUL; a rename or copy
 * is followed by its original path as one more NUL-terminated field. Pure.
 */
export function parsePorcelainZ(output: string): string[] {
  const fields = output.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i += 1) {
    const field = fields[i] ?? '';
    if (field.length < 4) continue;
    const status = field.slice(0, 2);
    paths.push(field.slice(3));
    if (status.includes('R') || status.includes('C')) i += 1; // skip the original path
  }
  return paths;
}

/**
 * Copies the committed tree of `paths` at `commit` into `dest` (which must exist): `git archive` piped into
 * `tar -x`. Read-only for the repository, unlike a checkout (index) or a worktree (metadata in .git).
 */
export function archiveInto(
  repoRoot: string,
  commit: string,
  paths: readonly string[],
  dest: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', commit, '--', ...paths], {
      cwd: repoRoot,
      env: demoGitEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] });
    const errors: string[] = [];
    const collect = (name: string) => (chunk: Buffer) => {
      errors.push(`${name}: ${chunk.toString('utf8').trim()}`);
    };
    archive.stderr.on('data', collect('git archive'));
    tar.stderr.on('data', collect('tar'));
    archive.stdout.pipe(tar.stdin);
    // A failing tar closes its stdin early; the write error that causes in the pipe is reported via exit codes.
    tar.stdin.on('error', () => undefined);
    let pending = 2;
    let failed = false;
    const done = (name: string) => (code: number | null, signal: NodeJS.Signals | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(
          new FrontendOpsError(
            'GIT_ERROR',
            `could not copy ${paths.join(', ')} at ${commit.slice(0, 7)} out of ${repoRoot}: ${name} exited with ${signal ?? `code ${code}`}${errors.length > 0 ? ` (${errors.join('; ')})` : ''}`,
            { hint: 'The demo needs git and tar on PATH.' },
          ),
        );
      }
      pending -= 1;
      if (pending === 0 && !failed) resolve();
    };
    const spawnFailed = (name: string) => (error: Error) => {
      if (failed) return;
      failed = true;
      reject(
        new FrontendOpsError('GIT_ERROR', `could not run ${name}: ${error.message}`, {
          hint: 'The demo needs git and tar on PATH.',
          cause: error,
        }),
      );
    };
    archive.on('error', spawnFailed('git'));
    tar.on('error', spawnFailed('tar'));
    archive.on('close', done('git archive'));
    tar.on('close', done('tar'));
  });
}

/** Points `refs/heads/<branch>` of a (scratch) repository at `sha`. */
export async function pointBranchAt(
  repoPath: string,
  branch: string,
  sha: string,
  run: RunGit = runGit,
): Promise<void> {
  await run(repoPath, ['update-ref', `refs/heads/${branch}`, sha]);
}

/** The commit a branch points at in a repository, or undefined when the branch does not exist. */
export async function branchTip(
  repoPath: string,
  branch: string,
  run: RunGit = runGit,
): Promise<string | undefined> {
  try {
    return (
      await run(repoPath, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])
    ).stdout.trim();
  } catch {
    return undefined;
  }
}
