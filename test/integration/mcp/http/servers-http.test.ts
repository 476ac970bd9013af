import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../../agent/src/sandbox/index.js';
import {
  httpClient,
  rawPost,
  rawSession,
  type ServerProcess,
  startHttpServer,
  testToken,
  toolCall,
  waitUntil,
} from '../../../support/mcp-http.js';
import { runInProcessGroup } from '../../../support/process-group.js';
import { sandboxPerFile, sandboxS3Client } from '../../../support/sandbox.js';
import { CLI, cliEnv, headOf, publishSite, ROOT, readAudit, tagsIn } from '../../agent/support.js';
import { invalidationCount, STACK, WORKDIR } from '../pulumi/helpers.js';

/**
 * The three shipped servers over Streamable HTTP on the sandbox: `frontendops-pulumi-mcp --http`,
 * `frontendops-github-mcp --http` and `frontendops mcp --http`, driven by the SDK's HTTP client and by
 * the MCP Inspector CLI. Every refusal (401, 403, 413) is checked to have changed nothing: no
 * invalidation, no tag, no audit entry, the same bucket listings.
 */

const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 50 });
const token = testToken();
const REPO = { owner: 'sophia-ai', repo: 'sophia' };
let pulumi: ServerProcess;
let github: ServerProcess;
let agent: ServerProcess;
const clients: Client[] = [];

interface Entry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

async function entries(s: Sandbox): Promise<{ pulumi: Entry; github: Entry }> {
  return (
    JSON.parse(await readFile(s.info.configPath, 'utf8')) as { mcpServers: { pulumi: Entry; github: Entry } }
  ).mcpServers;
}

beforeAll(async () => {
  const s = sandbox();
  const servers = await entries(s);
  await publishSite(s, await headOf(s), 'over http');
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, FRONTENDOPS_MCP_TOKEN: token };
  [pulumi, github, agent] = await Promise.all([
    startHttpServer(servers.pulumi.command, servers.pulumi.args, { ...base, ...servers.pulumi.env }),
    startHttpServer(servers.github.command, servers.github.args, { ...base, ...servers.github.env }),
    startHttpServer(
      process.execPath,
      [CLI, 'mcp', '--config', s.info.configPath],
      cliEnv({ FRONTENDOPS_MCP_TOKEN: token }),
      {
        cwd: ROOT,
      },
    ),
  ]);
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  const codes = await Promise.all([pulumi?.stop(), github?.stop(), agent?.stop()]);
  // A signal stops each server cleanly.
  expect(codes).toEqual([0, 0, 0]);
  for (const server of [pulumi, github, agent]) expect(server.stderr()).not.toContain(token);
});

async function connect(server: ServerProcess, name = 'servers-http-test'): Promise<Client> {
  const { client } = await httpClient(server.url, token, name);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function codeOf(result: CallToolResult): string | undefined {
  const text = result.content.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
  return result.isError ? /^([A-Z_]+): /.exec(text)?.[1] : undefined;
}

async function listing(s: Sandbox, bucket: string): Promise<string[]> {
  const s3 = sandboxS3Client(s);
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (page.Contents ?? []).map((o) => `${o.Key} ${o.ETag}`).sort();
  } finally {
    s3.destroy();
  }
}

async function auditText(): Promise<string> {
  return readFile(join(dir(), 'audit.jsonl'), 'utf8').catch(() => '');
}

function inspector(server: ServerProcess, args: readonly string[], withToken = true) {
  return runInProcessGroup(
    'npx',
    [
      '@modelcontextprotocol/inspector',
      '--cli',
      server.url,
      '--transport',
      'http',
      ...(withToken ? ['--header', `Authorization: Bearer ${token}`] : []),
      ...args,
    ],
    { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    90_000,
  );
}

describe('frontendops-pulumi-mcp --http', () => {
  it('lists its tools and answers a call of each', async () => {
    const client = await connect(pulumi);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'get_invalidation',
        'invalidate_cdn',
        'pulumi-cli-preview',
        'pulumi-cli-refresh',
        'pulumi-cli-stack-output',
        'pulumi-cli-up',
      ].sort(),
    );
    const output = await call(client, 'pulumi-cli-stack-output', {
      workDir: WORKDIR,
      stackName: STACK,
      outputName: 'distributionId',
    });
    expect(output.structuredContent).toMatchObject({ value: sandbox().info.distributionId });
    const invalidation = await call(client, 'invalidate_cdn', { stackName: STACK, paths: ['/index.html'] });
    const id = (invalidation.structuredContent as { invalidationId: string }).invalidationId;
    expect(
      (await call(client, 'get_invalidation', { stackName: STACK, invalidationId: id })).isError,
    ).toBeFalsy();
    // No Pulumi CLI on this machine: the CLI tools say so, over HTTP as over stdio.
    for (const tool of ['pulumi-cli-preview', 'pulumi-cli-up', 'pulumi-cli-refresh']) {
      expect(codeOf(await call(client, tool, { workDir: WORKDIR, stackName: STACK })), tool).toBe(
        'PULUMI_CLI_MISSING',
      );
    }
  });

  it('401 for a wrong token on a live session: no invalidation is made', async () => {
    const before = await invalidationCount(sandbox());
    const session = await rawSession(pulumi.url, token);
    const refused = await rawPost(
      pulumi.url,
      toolCall('invalidate_cdn', { stackName: STACK, paths: ['/*'] }),
      {
        Authorization: `Bearer ${testToken()}`,
        'Mcp-Session-Id': session,
      },
    );
    expect(refused.status).toBe(401);
    expect(await invalidationCount(sandbox())).toBe(before);
  });

  it('works with the MCP Inspector CLI over HTTP, and the Inspector without the token is refused', async () => {
    const listed = await inspector(pulumi, ['--method', 'tools/list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { tools: unknown[] }).tools).toHaveLength(6);
    const called = await inspector(pulumi, [
      '--method',
      'tools/call',
      '--tool-name',
      'pulumi-cli-stack-output',
      '--tool-arg',
      `workDir=${WORKDIR}`,
      `stackName=${STACK}`,
      'outputName=hostingBucket',
    ]);
    expect(called.code, called.stderr).toBe(0);
    expect(JSON.parse(called.stdout).structuredContent).toMatchObject({
      value: sandbox().info.hostingBucket,
    });
    const anonymous = await inspector(pulumi, ['--method', 'tools/list'], false);
    expect(anonymous.code).not.toBe(0);
    expect(`${anonymous.stdout}${anonymous.stderr}`).toMatch(/401|Unauthorized/);
  });
});

describe('frontendops-github-mcp --http', () => {
  it('lists its tools and answers a call of each', async () => {
    const s = sandbox();
    const head = await headOf(s);
    const client = await connect(github);
    expect((await client.listTools()).tools).toHaveLength(6);
    const commits = await call(client, 'list_commits', { ...REPO, perPage: 5 });
    expect((commits.structuredContent as { commits: Array<{ sha: string }> }).commits[0]?.sha).toBe(head);
    // The official server's JSON comes first.
    expect(JSON.parse((commits.content[0] as { text: string }).text)[0]).toMatchObject({ sha: head });
    expect((await call(client, 'get_commit', { ...REPO, sha: head })).structuredContent).toMatchObject({
      sha: head,
    });
    const created = await call(client, 'create_tag', {
      ...REPO,
      tag: 'http-test-1',
      sha: head,
      message: 'over HTTP',
    });
    expect(created.structuredContent).toEqual({ name: 'http-test-1', sha: head, created: true });
    expect((await call(client, 'get_tag', { ...REPO, tag: 'http-test-1' })).structuredContent).toMatchObject({
      message: 'over HTTP',
    });
    const tags = await call(client, 'list_tags', { ...REPO, prefix: 'http-test-' });
    expect(tags.structuredContent).toMatchObject({ tags: [{ name: 'http-test-1', sha: head }] });
    const next = await call(client, 'next_deploy_tag', { ...REPO, date: '2026-11-23' });
    expect(next.structuredContent).toEqual({ tag: 'dashboard-deploy-20261123-1' });
  });

  it('401 (wrong or missing token), 403 (foreign Origin) and 413 (a 5 MB body) create no tag', async () => {
    const s = sandbox();
    const head = await headOf(s);
    const before = await tagsIn(s);
    const session = await rawSession(github.url, token);
    const create = (tag: string, message = 'refused') =>
      toolCall('create_tag', { ...REPO, tag, sha: head, message });
    const wrong = await rawPost(github.url, create('refused-401'), {
      Authorization: `Bearer ${testToken()}`,
      'Mcp-Session-Id': session,
    });
    expect(wrong.status).toBe(401);
    const missing = await rawPost(github.url, create('refused-401b'), { 'Mcp-Session-Id': session });
    expect(missing.status).toBe(401);
    const foreign = await rawPost(github.url, create('refused-403'), {
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': session,
      Origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    const huge = await rawPost(github.url, create('refused-413', 'x'.repeat(5 * 1024 * 1024)), {
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': session,
    });
    expect(huge.status).toBe(413);
    expect(await tagsIn(s)).toEqual(before);
    // The same session with the token and a sane body still works: the refusals were the requests' own.
    const ok = await rawPost(github.url, create('accepted-after-refusals'), {
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': session,
    });
    expect(ok.status).toBe(200);
    expect((await tagsIn(s)).map((t) => t.name)).toContain('accepted-after-refusals');
  });

  it('works with the MCP Inspector CLI over HTTP', async () => {
    const called = await inspector(github, [
      '--method',
      'tools/call',
      '--tool-name',
      'list_commits',
      '--tool-arg',
      `owner=${REPO.owner}`,
      `repo=${REPO.repo}`,
      'perPage=1',
    ]);
    expect(called.code, called.stderr).toBe(0);
    const result = JSON.parse(called.stdout) as { content: Array<{ text: string }> };
    expect(JSON.parse(result.content[0]?.text ?? '')).toEqual([
      expect.objectContaining({ sha: await headOf(sandbox()), html_url: '' }),
    ]);
  });
});

describe('frontendops mcp --http', () => {
  it('lists its tools and answers a call of each; any client polls any job', async () => {
    const starter = await connect(agent, 'starter');
    const poller = await connect(agent, 'poller');
    expect((await starter.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'deploy_dashboard',
      'get_deployment_status',
      'list_deployments',
      'rollback_dashboard',
    ]);
    const started = await call(starter, 'deploy_dashboard', { dryRun: true });
    const id = (started.structuredContent as { deploymentId: string }).deploymentId;
    let status: Record<string, unknown> = {};
    await waitUntil(async () => {
      status = (await call(poller, 'get_deployment_status', { deploymentId: id })).structuredContent ?? {};
      return status.status !== 'running';
    }, 'the dry run to finish');
    expect(status).toMatchObject({ status: 'planned', kind: 'deploy' });
    const listed = await call(poller, 'list_deployments', {});
    expect(
      (listed.structuredContent as { deployments: Array<{ deploymentId: string }> }).deployments[0],
    ).toMatchObject({
      deploymentId: id,
    });
    const rollback = await call(poller, 'rollback_dashboard', {});
    expect(rollback.isError).toBeFalsy();
    // Let the job finish (nothing is live: it is refused) before anything else reads the audit log.
    const rollbackId = (rollback.structuredContent as { deploymentId: string }).deploymentId;
    let rolled: Record<string, unknown> = {};
    await waitUntil(async () => {
      rolled =
        (await call(starter, 'get_deployment_status', { deploymentId: rollbackId })).structuredContent ?? {};
      return rolled.status !== 'running';
    }, 'the rollback job to finish');
    expect(rolled).toMatchObject({ status: 'refused', error: { code: 'NOTHING_TO_ROLL_BACK' } });
    const unknown = await call(poller, 'get_deployment_status', { deploymentId: 'not-a-job' });
    expect(codeOf(unknown)).toBe('JOB_NOT_FOUND');
    // The audit log names the client that asked, per session.
    const audit = await readAudit(dir());
    expect(audit.find((e) => e.kind === 'request' && e.text.startsWith('deploy_dashboard'))).toMatchObject({
      requester: 'mcp:starter',
    });
  });

  it('401 without the token: nothing is started, logged or copied', async () => {
    const s = sandbox();
    const before = {
      audit: await auditText(),
      hosting: await listing(s, s.info.hostingBucket),
      artifacts: await listing(s, s.info.artifactsBucket),
    };
    const session = await rawSession(agent.url, token);
    const refused = await rawPost(agent.url, toolCall('deploy_dashboard', {}), { 'Mcp-Session-Id': session });
    expect(refused.status).toBe(401);
    const forged = await rawPost(agent.url, toolCall('deploy_dashboard', {}), {
      Authorization: `Bearer ${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`,
      'Mcp-Session-Id': session,
    });
    expect(forged.status).toBe(401);
    expect({
      audit: await auditText(),
      hosting: await listing(s, s.info.hostingBucket),
      artifacts: await listing(s, s.info.artifactsBucket),
    }).toEqual(before);
  });

  it('works with the MCP Inspector CLI over HTTP', async () => {
    const listed = await inspector(agent, ['--method', 'tools/call', '--tool-name', 'list_deployments']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).structuredContent).toMatchObject({ deployments: expect.any(Array) });
  });
});
