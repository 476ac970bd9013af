import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTempGitRepo,
  type DashboardHistory,
  seedDashboardHistory,
  type TempGitRepo,
} from '../../../support/git-repo.js';
import { runInProcessGroup } from '../../../support/process-group.js';

/**
 * The shipped bin (`node agent/bin/frontendops-github-mcp.js`, compiled by the integration globalSetup)
 * over real stdio: with the SDK's client, and with the MCP Inspector CLI, a client no one here wrote.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const BIN = join(ROOT, 'agent', 'bin', 'frontendops-github-mcp.js');
const REPO = { owner: 'sophia-ai', repo: 'sophia' };

let repo: TempGitRepo;
let history: DashboardHistory;

beforeAll(async () => {
  repo = await createTempGitRepo();
  history = await seedDashboardHistory(repo);
});
afterAll(async () => {
  expect(await serverProcessesFor(repo.path)).toEqual([]);
  await repo.remove();
});

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...getDefaultEnvironment(),
    FRONTENDOPS_GITHUB_BACKEND: 'git',
    FRONTENDOPS_GIT_REPO: repo.path,
    ...extra,
  };
}

/** PIDs of github MCP servers started for `repoPath` (by their environment) that are still alive. */
async function serverProcessesFor(repoPath: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('frontendops-github-mcp')) continue;
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\u0000').includes(`FRONTENDOPS_GIT_REPO=${repoPath}`)) found.push(Number(entry));
    } catch {
      // The process exited while we looked, or is not ours to read.
    }
  }
  return found;
}

describe('frontendops-github-mcp over stdio', () => {
  it('serves the tools to the SDK client, logs to stderr only, and exits when the client closes', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN],
      env: serverEnv(),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const client = new Client({ name: 'frontendops-stdio-test', version: '0.0.0' });
    await client.connect(transport);
    const pid = transport.pid;
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(
        ['create_tag', 'get_commit', 'get_tag', 'list_commits', 'list_tags', 'next_deploy_tag'].sort(),
      );
      const commits = (await client.callTool({
        name: 'list_commits',
        arguments: { ...REPO, path: 'sophia-dashboard/', perPage: 1 },
      })) as CallToolResult;
      expect(commits.structuredContent).toMatchObject({
        commits: [{ sha: history.latestDashboard, untrusted: true }],
      });
      const created = (await client.callTool({
        name: 'create_tag',
        arguments: { ...REPO, tag: 'stdio-tag', sha: history.latestDashboard, message: 'over stdio' },
      })) as CallToolResult;
      expect(created.structuredContent).toEqual({
        name: 'stdio-tag',
        sha: history.latestDashboard,
        created: true,
      });
      const refused = (await client.callTool({
        name: 'create_tag',
        arguments: { ...REPO, tag: '../x', sha: history.latestDashboard, message: 'm' },
      })) as CallToolResult;
      expect(refused.isError).toBe(true);
    } finally {
      await client.close();
    }
    expect((await repo.git(['rev-parse', 'stdio-tag^{commit}'])).trim()).toBe(history.latestDashboard);
    expect(stderr).toContain(`ready (backend=git repo=${repo.path})`);
    expect(stderr).toContain('create_tag: TAG_INVALID');
    expect(pid).toBeTypeOf('number');
    expect(await serverProcessesFor(repo.path)).toEqual([]);
  });

  it('exits 2 with a CONFIG_INVALID line on stderr when the octokit backend has no token', async () => {
    const env = { ...getDefaultEnvironment(), FRONTENDOPS_GITHUB_BACKEND: 'octokit' };
    const result = await runInProcessGroup(process.execPath, [BIN], env, 60_000);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('CONFIG_INVALID');
  });
});

describe('MCP Inspector CLI against frontendops-github-mcp', () => {
  // As a user runs it: npx finds the inspector installed in node_modules (a dev dependency).
  const inspector = (args: readonly string[]) =>
    runInProcessGroup(
      'npx',
      ['@modelcontextprotocol/inspector', '--cli', process.execPath, BIN, ...args],
      { ...(process.env as Record<string, string>), ...serverEnv() },
      60_000,
    );

  it('lists the tools', async () => {
    const result = await inspector(['--method', 'tools/list']);
    expect(result.code, result.stderr).toBe(0);
    const { tools } = JSON.parse(result.stdout) as { tools: Array<{ name: string; annotations?: unknown }> };
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining([
        'list_commits',
        'get_commit',
        'list_tags',
        'get_tag',
        'create_tag',
        'next_deploy_tag',
      ]),
    );
    expect(tools.find((tool) => tool.name === 'create_tag')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
    });
  });

  it('runs create_tag on a temporary repository', async () => {
    const sha = history.dashboard[0]!;
    const result = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'create_tag',
      '--tool-arg',
      'owner=sophia-ai',
      'repo=sophia',
      'tag=dashboard-deploy-20260309-1',
      `sha=${sha}`,
      'message=Deployed by the MCP Inspector',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      structuredContent: { name: 'dashboard-deploy-20260309-1', sha, created: true },
    });
    expect((await repo.git(['cat-file', '-t', 'refs/tags/dashboard-deploy-20260309-1'])).trim()).toBe('tag');
    expect(
      (await repo.git(['tag', '--list', '--format=%(contents)', 'dashboard-deploy-20260309-1'])).trim(),
    ).toBe('Deployed by the MCP Inspector');
  });

  it('gets a refusal with a code, and nothing is written, for a hostile tag name', async () => {
    const before = await repo.snapshot();
    const result = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'create_tag',
      '--tool-arg',
      'owner=sophia-ai',
      'repo=sophia',
      'tag=refs/heads/main',
      `sha=${history.head}`,
      'message=m',
    ]);
    const output = JSON.parse(result.stdout) as { isError?: boolean; content: Array<{ text: string }> };
    expect(output.isError).toBe(true);
    expect(output.content[0]?.text).toMatch(/^TAG_INVALID: /);
    expect(await repo.snapshot()).toEqual(before);
  });
});
