import type { GitHubBackend } from './backend.js';
import type { GitHubServerConfig } from './config.js';
import { createGitBackend } from './git/backend.js';
import { createOctokitBackend } from './octokit/backend.js';
import { createGitHubClient } from './octokit/client.js';

export interface BackendFactoryDeps {
  log: (line: string) => void;
  now: () => Date;
}

export function createBackendFromConfig(config: GitHubServerConfig, deps: BackendFactoryDeps): GitHubBackend {
  if (config.backend === 'git') {
    return createGitBackend({
      repoPath: config.repoPath,
      now: deps.now,
      ...(config.tagger === undefined ? {} : { tagger: config.tagger }),
    });
  }
  const client = createGitHubClient({
    token: config.token,
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    log: deps.log,
  });
  return createOctokitBackend({ client, secrets: [config.token] });
}
