import { FrontendOpsError, isFrontendOpsError } from '../errors.js';
import { parsePorcelainZ, type RunGit, runGit } from './git.js';

/** The dashboard's folder in the project repository: what the demo builds and what the agent watches. */
export const DASHBOARD_DIR = 'sophia-dashboard';

/** What the demo needs to know about the repository it deploys from (the user's checkout). */
export interface DemoRepo {
  /** The repository's top-level directory. */
  root: string;
  head: string;
  /** The checked-out branch; undefined on a detached HEAD. */
  branch: string | undefined;
  /** The newest commit reachable from HEAD that touches `sophia-dashboard/`: what the demo deploys. */
  commit: string;
  /** Its subject line (untrusted; shown through the agent's display cleaning). */
  subject: string;
  /** Paths under `sophia-dashboard/` that differ from HEAD (modified, staged, untracked). */
  uncommitted: string[];
}

function notARepo(path: string, cause: unknown): FrontendOpsError {
  return new FrontendOpsError('BAD_INPUT', `${path} is not inside a git repository`, {
    hint: 'Run the demo in a git clone of the project, or point --repo at one.',
    cause,
  });
}

/** Reads the repository around `path` (read-only). */
export async function inspectRepo(path: string, run: RunGit = runGit): Promise<DemoRepo> {
  let root: string;
  try {
    root = (await run(path, ['rev-parse', '--show-toplevel'])).stdout.trim();
  } catch (error) {
    throw isFrontendOpsError(error, 'GIT_ERROR') ? notARepo(path, error) : error;
  }
  let head: string;
  try {
    head = (await run(root, ['rev-parse', '--verify', 'HEAD^{commit}'])).stdout.trim();
  } catch (error) {
    throw new FrontendOpsError('BAD_INPUT', `${root} has no commits yet`, {
      hint: `Commit the project (with ${DASHBOARD_DIR}/) first.`,
      cause: error,
    });
  }
  const branch = await run(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']).then(
    (r) => r.stdout.trim() || undefined,
    () => undefined,
  );
  const log = (await run(root, ['log', '-1', '--format=%H%x00%s', 'HEAD', '--', `${DASHBOARD_DIR}/`])).stdout;
  const [commit = '', subject = ''] = log.replace(/\n$/, '').split('\0');
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw new FrontendOpsError('BAD_INPUT', `no commit in ${root} touches ${DASHBOARD_DIR}/`, {
      hint: 'Run the demo in a clone of the FrontendOps project, which holds the Sophia dashboard.',
    });
  }
  const status = await run(root, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--',
    `${DASHBOARD_DIR}/`,
  ]);
  return { root, head, branch, commit, subject, uncommitted: parsePorcelainZ(status.stdout) };
}
