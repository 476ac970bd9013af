import { describe, expect, it } from 'vitest';
import { describeConfig, resolveGitHubServerConfig } from '../../../../agent/src/mcp/github/config.js';

const CWD = '/srv/work';
// Built at run time: the repository holds no string that looks like a real token.
const TOKEN = `ghp_${'configTestToken0123456789abcdefABCD'}`;

describe('github MCP server configuration', () => {
  it('defaults to the git backend in the working directory without a token', () => {
    expect(resolveGitHubServerConfig([], {}, CWD)).toEqual({ backend: 'git', repoPath: CWD });
  });

  it('defaults to octokit when GITHUB_TOKEN or GITHUB_PERSONAL_ACCESS_TOKEN is set', () => {
    expect(resolveGitHubServerConfig([], { GITHUB_TOKEN: TOKEN }, CWD)).toEqual({
      backend: 'octokit',
      token: TOKEN,
    });
    expect(resolveGitHubServerConfig([], { GITHUB_PERSONAL_ACCESS_TOKEN: TOKEN }, CWD)).toEqual({
      backend: 'octokit',
      token: TOKEN,
    });
  });

  it('lets FRONTENDOPS_GITHUB_BACKEND and flags choose, with repo path and GHE URL', () => {
    expect(
      resolveGitHubServerConfig(
        [],
        { GITHUB_TOKEN: TOKEN, FRONTENDOPS_GITHUB_BACKEND: 'git', FRONTENDOPS_GIT_REPO: 'repo' },
        CWD,
      ),
    ).toEqual({ backend: 'git', repoPath: '/srv/work/repo' });
    expect(
      resolveGitHubServerConfig(
        ['--backend', 'octokit'],
        { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: 'https://ghe.example.test/api/v3' },
        CWD,
      ),
    ).toEqual({ backend: 'octokit', token: TOKEN, baseUrl: 'https://ghe.example.test/api/v3' });
    expect(
      resolveGitHubServerConfig(['--repo', '/abs/repo'], { FRONTENDOPS_GIT_REPO: '/ignored' }, CWD),
    ).toEqual({
      backend: 'git',
      repoPath: '/abs/repo',
    });
  });

  it('takes a tagger identity for the git backend', () => {
    expect(
      resolveGitHubServerConfig(
        [],
        { FRONTENDOPS_GIT_TAGGER_NAME: 'Deploy Bot', FRONTENDOPS_GIT_TAGGER_EMAIL: 'bot@x.test' },
        CWD,
      ),
    ).toEqual({ backend: 'git', repoPath: CWD, tagger: { name: 'Deploy Bot', email: 'bot@x.test' } });
  });

  it.each([
    [[], { FRONTENDOPS_GITHUB_BACKEND: 'octokit' }],
    [[], { FRONTENDOPS_GITHUB_BACKEND: 'svn' }],
    [['--bogus'], {}],
    [[], { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: 'ftp://x' }],
  ])('refuses %j %j with CONFIG_INVALID', (argv, env) => {
    expect(() => resolveGitHubServerConfig(argv, env, CWD)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('never puts the token in the startup description', () => {
    const line = describeConfig(resolveGitHubServerConfig([], { GITHUB_TOKEN: TOKEN }, CWD));
    expect(line).toBe('backend=octokit api=https://api.github.com');
    expect(line).not.toContain(TOKEN);
  });
});
