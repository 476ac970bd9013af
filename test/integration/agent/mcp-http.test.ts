import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../agent/src/sandbox/index.js';
import {
  httpClient,
  type ServerProcess,
  startHttpServer,
  testToken,
  waitUntil,
} from '../../support/mcp-http.js';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';
import {
  CLI,
  cliEnv,
  commitDashboardChange,
  headOf,
  publishSite,
  ROOT,
  readAudit,
  runCli,
  tagsIn,
  todayStamp,
} from './support.js';

/**
 * The agent over HTTP, both ways: `frontendops mcp --http` serving several clients while a deploy runs
 * (one starts it and leaves in the middle, another sees it finish), and the agent using pulumi and
 * github servers that run elsewhere, named by `url` + `headers` in its config.
 */

// Invalidations take 8 s to complete: the deploy is observably in the middle (files live, not finished).
const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 8000 });
const token = testToken();
let agent: ServerProcess;

beforeAll(async () => {
  agent = await startHttpServer(
    process.execPath,
    [CLI, 'mcp', '--config', sandbox().info.configPath],
    cliEnv({ FRONTENDOPS_MCP_TOKEN: token }),
    { cwd: ROOT },
  );
});

afterAll(async () => {
  expect(await agent?.stop()).toBe(0);
});

async function keys(s: Sandbox, bucket: string, prefix = ''): Promise<Map<string, string>> {
  const s3 = sandboxS3Client(s);
  try {
    const found = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) found.set(object.Key ?? '', object.ETag ?? '');
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return found;
  } finally {
    s3.destroy();
  }
}

async function hostedCommit(s: Sandbox): Promise<string | undefined> {
  const s3 = sandboxS3Client(s);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: s.info.hostingBucket, Key: 'version.json' }));
    return (JSON.parse(await object.Body!.transformToString()) as { commit: string }).commit;
  } catch {
    return undefined;
  } finally {
    s3.destroy();
  }
}

async function status(client: Client, deploymentId: string): Promise<Record<string, unknown>> {
  const result = await client.callTool({ name: 'get_deployment_status', arguments: { deploymentId } });
  return (result.structuredContent ?? {}) as Record<string, unknown>;
}

/**
 * The hosting bucket serves the build of `commit` byte for byte; anything else in it (besides the
 * engine-owned deployments.json) is a file of an `earlier` release, kept for clients that cached it.
 */
async function expectHostingServes(
  s: Sandbox,
  commit: string,
  earlier: readonly string[] = [],
): Promise<void> {
  const siteOf = async (sha: string) =>
    new Map(
      [...(await keys(s, s.info.artifactsBucket, `builds/${sha}/site/`))].map(([key, etag]) => [
        key.slice(`builds/${sha}/site/`.length),
        etag,
      ]),
    );
  const site = await siteOf(commit);
  const hosting = await keys(s, s.info.hostingBucket);
  expect(new Map([...hosting].filter(([key]) => site.has(key)))).toEqual(site);
  const kept = new Set<string>();
  for (const sha of earlier) for (const key of (await siteOf(sha)).keys()) kept.add(key);
  const unexplained = [...hosting.keys()].filter(
    (key) => !site.has(key) && !kept.has(key) && key !== 'deployments.json',
  );
  expect(unexplained).toEqual([]);
}

describe('frontendops mcp --http while a deploy runs', () => {
  it('a client that leaves mid-deploy stops nothing: another client sees it complete, buckets consistent', async () => {
    const s = sandbox();
    const head = await headOf(s);
    await publishSite(s, head, 'deployed over http');
    const buildBefore = await keys(s, s.info.artifactsBucket, `builds/${head}/`);

    const starter = await httpClient(agent.url, token, 'starter');
    const watcher = await httpClient(agent.url, token, 'watcher');
    const started = await starter.client.callTool({ name: 'deploy_dashboard', arguments: {} });
    const deploymentId = (started.structuredContent as { deploymentId: string }).deploymentId;

    // The middle of the deploy: its files are live, it is still running (waiting for the invalidation).
    await waitUntil(async () => (await hostedCommit(s)) === head, 'the new files to go live', 120_000);
    expect(await status(watcher.client, deploymentId)).toMatchObject({ status: 'running' });

    // The starter goes away: it ends its session and drops its connection.
    await starter.transport.terminateSession();
    await starter.client.close();

    let final: Record<string, unknown> = {};
    await waitUntil(
      async () => {
        final = await status(watcher.client, deploymentId);
        return final.status !== 'running';
      },
      'the deploy to finish',
      180_000,
    );
    expect(final).toMatchObject({ status: 'deployed', result: { commit: head } });
    await watcher.client.close();

    await expectHostingServes(s, head);
    expect(await keys(s, s.info.artifactsBucket, `builds/${head}/`)).toEqual(buildBefore);
    expect([...(await keys(s, s.info.artifactsBucket, 'locks/')).keys()]).toEqual([]);
    expect(await tagsIn(s)).toEqual([{ name: `dashboard-deploy-${todayStamp()}-1`, sha: head }]);
    const audit = await readAudit(dir());
    expect(audit.filter((e) => e.kind === 'request' && e.text.startsWith('deploy_dashboard'))).toHaveLength(
      1,
    );
  });
});

describe('the agent using pulumi and github servers over HTTP', () => {
  let pulumi: ServerProcess;
  let github: ServerProcess;
  let configPath: string;
  const serverToken = testToken();

  beforeAll(async () => {
    const s = sandbox();
    const config = JSON.parse(await readFile(s.info.configPath, 'utf8')) as {
      mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
    };
    const { pulumi: pulumiEntry, github: githubEntry } = config.mcpServers;
    if (pulumiEntry === undefined || githubEntry === undefined)
      throw new Error('sandbox config without servers');
    const base = { PATH: process.env.PATH, HOME: process.env.HOME, FRONTENDOPS_MCP_TOKEN: serverToken };
    [pulumi, github] = await Promise.all([
      startHttpServer(pulumiEntry.command, pulumiEntry.args, { ...base, ...pulumiEntry.env }),
      startHttpServer(githubEntry.command, githubEntry.args, { ...base, ...githubEntry.env }),
    ]);
    const http = (url: string) => ({
      url,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${env:NAME} syntax, not a template.
      headers: { Authorization: 'Bearer ${env:SHARED_MCP_TOKEN}' },
    });
    configPath = join(dir(), 'http-servers.config.json');
    await writeFile(
      configPath,
      JSON.stringify(
        { ...config, mcpServers: { pulumi: http(pulumi.url), github: http(github.url) } },
        null,
        2,
      ),
    );
  });

  afterAll(async () => {
    expect(await Promise.all([pulumi?.stop(), github?.stop()])).toEqual([0, 0]);
  });

  it('refuses a wrong token with a clear error, deploying nothing', async () => {
    const s = sandbox();
    const before = await keys(s, s.info.hostingBucket);
    const run = await runCli(['--config', configPath, 'deploy', '--yes', '--json'], {
      env: cliEnv({ SHARED_MCP_TOKEN: testToken() }),
    });
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/refused .*HTTP 401/);
    expect(await keys(s, s.info.hostingBucket)).toEqual(before);
  });

  it('deploys through them; the token is never printed or logged', async () => {
    const s = sandbox();
    const previous = await headOf(s);
    const next = await commitDashboardChange(s, 'http.txt', 'Dashboard: through shared servers');
    await publishSite(s, next, 'through shared servers');
    const run = await runCli(['--config', configPath, 'deploy', '--yes', '--json'], {
      env: cliEnv({ SHARED_MCP_TOKEN: serverToken }),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'deployed', commit: next });
    await expectHostingServes(s, next, [previous]);
    expect((await tagsIn(s)).map((t) => t.sha)).toContain(next);
    // The calls went to the HTTP servers (their logs show them), under the usual server names.
    expect(pulumi.stderr()).toMatch(/invalidate_cdn: ok/);
    expect(github.stderr()).toMatch(/create_tag: ok/);
    const audit = await readFile(join(dir(), 'audit.jsonl'), 'utf8');
    for (const text of [run.stdout, run.stderr, audit, pulumi.stderr(), github.stderr()]) {
      expect(text).not.toContain(serverToken);
    }
  });
});
