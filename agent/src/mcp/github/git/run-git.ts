import { execFile } from 'node:child_process';

/**
 * Runs `git` with an argument array — never through a shell — in one repository, non-interactively.
 * Injected into the git backend so tests can observe or replace it.
 */

export interface GitRunOptions {
  /** Written to git's stdin (tag messages), then stdin is closed. */
  input?: string;
  /** Extra environment for this command only (tagger identity and date). */
  env?: Record<string, string>;
}

export type GitRunner = (args: readonly string[], options?: GitRunOptions) => Promise<string>;

/** A git command that exited non-zero. `stderr` is git's own text; it never contains our environment. */
export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(
      `git ${args[0] ?? ''} exited with ${exitCode ?? 'a signal'}: ${stderr.trim().split('\n')[0] ?? ''}`,
    );
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * Variables that would point git at another repository or change what our commands mean; a server
 * started from a git hook or a shell with GIT_DIR set must still act on the configured repository.
 */
const INHERITED_GIT_VARIABLES_TO_DROP = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_EXTERNAL_DIFF',
  'GIT_PAGER',
  'GIT_EDITOR',
];

export function gitEnvironment(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !INHERITED_GIT_VARIABLES_TO_DROP.includes(key)) env[key] = value;
  }
  // Never wait for a password or an editor; stable English messages; no lock files for reads.
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_EDITOR = 'true';
  env.GIT_PAGER = 'cat';
  env.LC_ALL = 'C';
  env.GIT_OPTIONAL_LOCKS = '0';
  return env;
}

export interface GitRunnerOptions {
  repoPath: string;
  /** Default `git` on PATH. */
  gitBinary?: string;
  /** Base environment; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export function createGitRunner(options: GitRunnerOptions): GitRunner {
  const baseEnv = gitEnvironment(options.env ?? process.env);
  const binary = options.gitBinary ?? 'git';
  return (args, runOptions = {}) =>
    new Promise((resolve, reject) => {
      const fullArgs = ['-C', options.repoPath, ...args];
      const child = execFile(
        binary,
        fullArgs,
        {
          env: { ...baseEnv, ...runOptions.env },
          maxBuffer: MAX_OUTPUT_BYTES,
          encoding: 'utf8',
          windowsHide: true,
        },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve(stdout);
            return;
          }
          const code = typeof error.code === 'number' ? error.code : null;
          if (code === null && typeof error.code === 'string') {
            // ENOENT and friends: git itself could not be started.
            reject(new GitCommandError(args, null, `${error.code}: ${error.message}`));
            return;
          }
          reject(new GitCommandError(args, code, stderr));
        },
      );
      child.stdin?.on('error', () => {
        // git may exit before reading stdin (e.g. a refused tag); the exit status reports the failure.
      });
      child.stdin?.end(runOptions.input ?? '');
    });
}
