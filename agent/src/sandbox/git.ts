import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FrontendOpsError } from '../errors.js';

const execFileAsync = promisify(execFile);

/** The identity the sandbox's scratch repository commits and tags with (set locally in that repo only). */
export const SANDBOX_GIT_USER = {
  name: 'FrontendOps Sandbox',
  email: 'sandbox@frontendops.invalid',
} as const;

/**
 * git's environment: the caller's without any GIT_* variable (a GIT_DIR inherited from a hook would point
 * git at the user's repository), ignoring system and global config (no user hooks, templates or signing in
 * the scratch repo), never prompting.
 */
function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: devNull, GIT_TERMINAL_PROMPT: '0', ...extra };
}

async function git(
  cwd: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', [...args], {
      cwd,
      env: gitEnv(extraEnv),
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new FrontendOpsError('GIT_ERROR', `git ${args[0]} failed${stderr ? `: ${stderr}` : ''}`, {
      hint: 'The sandbox needs git on PATH.',
      cause: error,
    });
  }
}

/**
 * Brings a persisted scratch repository up to date with `source` instead of recloning it, so the deploy tags
 * it holds survive: every branch of `source` is fetched over the local branch of the same name (forced, as a
 * fresh clone would have it), the source's tags are left out (the scratch repo's own tags are the record of
 * the sandbox's deploys), and the checked-out branch's working tree is reset to its new tip.
 * Returns the HEAD commit.
 */
export async function refreshScratchRepo(repoPath: string, source: string): Promise<string> {
  await git(repoPath, [
    'fetch',
    '--quiet',
    '--no-tags',
    // The checked-out branch is among those updated; the working tree is reset right after.
    '--update-head-ok',
    '--',
    source,
    '+refs/heads/*:refs/heads/*',
  ]);
  await git(repoPath, ['reset', '--quiet', '--hard', 'HEAD']);
  return git(repoPath, ['rev-parse', 'HEAD']);
}

/**
 * Creates the sandbox's scratch repository at `repoPath`: a non-bare clone of `source` (its `origin` removed,
 * so nothing can be pushed back to the user's checkout by accident), or a fresh repository with one commit
 * that touches `sophia-dashboard/`. Returns the HEAD commit.
 */
export async function createScratchRepo(
  repoPath: string,
  source: string | undefined,
  now: Date,
): Promise<string> {
  if (source !== undefined) {
    await git(process.cwd(), ['clone', '--quiet', '--', source, repoPath]);
    await git(repoPath, ['remote', 'remove', 'origin']);
  } else {
    await mkdir(repoPath, { recursive: true });
    await git(repoPath, ['init', '--quiet', '--initial-branch=main']);
  }
  await git(repoPath, ['config', 'user.name', SANDBOX_GIT_USER.name]);
  await git(repoPath, ['config', 'user.email', SANDBOX_GIT_USER.email]);
  // Tools that later tag in this repo run with the user's global config: a global signing setting must not
  // make them prompt for a key in a throw-away repository.
  await git(repoPath, ['config', 'commit.gpgsign', 'false']);
  await git(repoPath, ['config', 'tag.gpgsign', 'false']);
  if (source === undefined) {
    await mkdir(join(repoPath, 'sophia-dashboard'), { recursive: true });
    await writeFile(
      join(repoPath, 'sophia-dashboard', 'README.md'),
      '# Sophia dashboard (sandbox scratch repository)\n\nTags created by sandbox deploys land here.\n',
    );
    await git(repoPath, ['add', '--', 'sophia-dashboard/README.md']);
    const date = now.toISOString();
    await git(repoPath, ['commit', '--quiet', '--no-verify', '-m', 'Sandbox: initial commit'], {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
  }
  return git(repoPath, ['rev-parse', 'HEAD']);
}
