import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FrontendOpsError } from '../../errors.js';

/**
 * Which backend the server uses, from flags and environment:
 * `--backend` / FRONTENDOPS_GITHUB_BACKEND = git | octokit; default octokit when GITHUB_TOKEN or
 * GITHUB_PERSONAL_ACCESS_TOKEN is set, else git. git: `--repo` / FRONTENDOPS_GIT_REPO (default cwd),
 * tagger from FRONTENDOPS_GIT_TAGGER_NAME + _EMAIL. octokit: `--api-url` / GITHUB_API_URL for
 * GitHub Enterprise Server. Pure: the bin passes process.argv, process.env and process.cwd().
 */

export type GitHubServerConfig =
  | { backend: 'git'; repoPath: string; tagger?: { name: string; email: string } }
  | { backend: 'octokit'; token: string; baseUrl?: string };

function configError(message: string, hint: string): FrontendOpsError {
  return new FrontendOpsError('CONFIG_INVALID', message, { hint });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function resolveGitHubServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): GitHubServerConfig {
  let flags: { backend?: string; repo?: string; 'api-url'?: string };
  try {
    flags = parseArgs({
      args: [...argv],
      options: { backend: { type: 'string' }, repo: { type: 'string' }, 'api-url': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw configError(
      `frontendops-github-mcp: ${error instanceof Error ? error.message : String(error)}`,
      'Flags: --backend git|octokit, --repo PATH, --api-url URL (or the environment variables in docs/github-mcp.md).',
    );
  }
  const token = nonEmpty(env.GITHUB_TOKEN) ?? nonEmpty(env.GITHUB_PERSONAL_ACCESS_TOKEN);
  const chosen =
    nonEmpty(flags.backend) ?? nonEmpty(env.FRONTENDOPS_GITHUB_BACKEND) ?? (token ? 'octokit' : 'git');

  if (chosen === 'git') {
    const repo = nonEmpty(flags.repo) ?? nonEmpty(env.FRONTENDOPS_GIT_REPO) ?? cwd;
    const name = nonEmpty(env.FRONTENDOPS_GIT_TAGGER_NAME);
    const email = nonEmpty(env.FRONTENDOPS_GIT_TAGGER_EMAIL);
    return {
      backend: 'git',
      repoPath: isAbsolute(repo) ? repo : resolve(cwd, repo),
      ...(name !== undefined && email !== undefined ? { tagger: { name, email } } : {}),
    };
  }
  if (chosen === 'octokit') {
    if (token === undefined) {
      throw configError(
        'the octokit backend needs a token in GITHUB_TOKEN or GITHUB_PERSONAL_ACCESS_TOKEN',
        'Set a fine-grained token with "Contents: read and write" on the repository, or use FRONTENDOPS_GITHUB_BACKEND=git.',
      );
    }
    const apiUrl = nonEmpty(flags['api-url']) ?? nonEmpty(env.GITHUB_API_URL);
    if (apiUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(apiUrl)) {
      throw configError(
        `GITHUB_API_URL ${JSON.stringify(apiUrl)} is not an http(s) URL`,
        'For GitHub Enterprise Server use https://HOST/api/v3.',
      );
    }
    return { backend: 'octokit', token, ...(apiUrl === undefined ? {} : { baseUrl: apiUrl }) };
  }
  throw configError(
    `FRONTENDOPS_GITHUB_BACKEND must be git or octokit, not ${JSON.stringify(chosen)}`,
    'Use git for a local clone, octokit for the GitHub API.',
  );
}

/** One line for the startup log: never the token. */
export function describeConfig(config: GitHubServerConfig): string {
  return config.backend === 'git'
    ? `backend=git repo=${config.repoPath}`
    : `backend=octokit api=${config.baseUrl ?? 'https://api.github.com'}`;
}
