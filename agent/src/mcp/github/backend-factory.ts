import type { GitHubBackend } from './backend.js';
import type { GitHubServerConfig } from './config.js';
import { createGitBackend } from './git/backend.js';

export interface BackendFactoryDeps {
  log: (line: string) => void;
  now: () => Date;
}

export async function createBackendFromConfig(
  config: GitHubServerConfig,
  deps: BackendFactoryDeps,
): Promise<GitHubBackend> {
  if (config.backend === 'git') {
    return createGitBackend({
      repoPath: config.repoPath,
      now: deps.now,
      ...(config.tagger === undefined ? {} : { tagger: config.tagger }),
    });
  }
  // Octokit and its plugins load only for the GitHub API backend: a git-backed server never needs them.
  const [{ createOctokitBackend }, { createGitHubClient }] = await Promise.all([
    import('./octokit/backend.js'),
    import('./octokit/client.js'),
  ]);
  const client = createGitHubClient({
    token: config.token,
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    log: deps.log,
  });
  return createOctokitBackend({ client, secrets: [config.token] });
}
