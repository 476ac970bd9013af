import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxPerFile } from '../../support/sandbox.js';
import {
  CLI,
  cliEnv,
  fetchText,
  headOf,
  publishSite,
  ROOT,
  readAudit,
  tagsIn,
  todayStamp,
} from './support.js';

/** `frontendops mcp` as a real stdio server, driven by the MCP SDK client the way Claude Desktop would. */
const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 50 });
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(): Promise<Client> {
  const client = new Client({ name: 'claude-desktop-test', version: '1.0.0' });
  const env = cliEnv();
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--config', sandbox().info.configPath],
      env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
      cwd: ROOT,
      stderr: 'pipe',
    }),
  );
  clients.push(client);
  return client;
}

type Structured = Record<string, unknown>;

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Structured> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return result.structuredContent as Structured;
}

async function waitFor(client: Client, deploymentId: string): Promise<Structured> {
  for (;;) {
    const status = await call(client, 'get_deployment_status', { deploymentId });
    if (status.status !== 'running') return status;
    await delay(100);
  }
}

describe('frontendops mcp (start-then-poll)', () => {
  it('lists its four tools with truthful annotations', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    expect(Object.keys(byName).sort()).toEqual([
      'deploy_dashboard',
      'get_deployment_status',
      'list_deployments',
      'rollback_dashboard',
    ]);
    expect(byName.deploy_dashboard).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get_deployment_status).toMatchObject({ readOnlyHint: true });
  });

  it('deploy_dashboard returns an id at once; polling shows the deploy; list_deployments and rollback work', async () => {
    const s = sandbox();
    const head = await headOf(s);
    await publishSite(s, head, 'over mcp');
    const client = await connect();

    const started = await call(client, 'deploy_dashboard', {});
    expect(started).toMatchObject({ status: 'running', deploymentId: expect.any(String) });
    const done = await waitFor(client, String(started.deploymentId));
    expect(done).toMatchObject({
      status: 'deployed',
      result: { commit: head, tag: `dashboard-deploy-${todayStamp()}-1` },
    });
    expect(JSON.parse((await fetchText(`${s.info.edgeUrl}/version.json`)).text).commit).toBe(head);

    // Requests that cannot pass validation are refused as tool errors, not started.
    const hostile = await client.callTool({ name: 'deploy_dashboard', arguments: { commit: '; rm -rf /' } });
    expect(hostile.isError).toBe(true);

    const listed = await call(client, 'list_deployments', {});
    expect((listed.deployments as Structured[]).map((d) => d.deploymentId)).toEqual([started.deploymentId]);
    expect((listed.releases as Structured[])[0]).toMatchObject({ commit: head, live: true });

    // Nothing before the live release: the rollback job finishes refused, with the reason.
    const rollback = await call(client, 'rollback_dashboard', {});
    const rolled = await waitFor(client, String(rollback.deploymentId));
    expect(rolled).toMatchObject({ status: 'refused', error: { code: 'NOTHING_TO_ROLL_BACK' } });
    expect(await tagsIn(s)).toHaveLength(1);

    const audit = await readAudit(dir());
    const request = audit.find((e) => e.kind === 'request' && e.text.startsWith('deploy_dashboard'));
    expect(request).toMatchObject({ trigger: 'mcp', requester: 'mcp:claude-desktop-test' });
    expect(audit.find((e) => e.kind === 'confirm' && e.requestId === request?.requestId)).toMatchObject({
      approved: true,
      by: 'mcp-client',
    });
  });
});
