import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../../agent/src/agent/dispatch.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { InProcessDeployments } from '../../../agent/src/mcp/agent-server/deployments.js';
import type { AgentServerDeps } from '../../../agent/src/mcp/agent-server/deps.js';
import { createServer } from '../../../agent/src/mcp/agent-server/server.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const deployed: Answer = {
  ok: true,
  text: 'Deployed aaaaaaa to dashboard-hosting-prod as dashboard-deploy-20261123-1.',
  json: { status: 'deployed', commit: 'a'.repeat(40), tag: 'dashboard-deploy-20261123-1' },
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function connected(deps: AgentServerDeps): Promise<Client> {
  const { server, close } = createServer(deps, '0.0.0-test');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'cursor-test', version: '1' });
  await client.connect(clientSide);
  closers.push(async () => {
    await client.close();
    await close();
  });
  return client;
}

describe('InProcessDeployments (start-then-poll registry)', () => {
  it('returns a running job at once, settles it, and refuses a second while one runs', async () => {
    let n = 0;
    const jobs = new InProcessDeployments(
      () => new Date('2026-11-23T10:00:00Z'),
      () => `job-${++n}`,
    );
    const gate = deferred<Answer>();
    const started = await jobs.start('deploy', {}, (onProgress) => {
      onProgress({ step: 'copy', done: 1, total: 3, bytes: 1, totalBytes: 3 });
      return gate.promise;
    });
    expect(started).toMatchObject({ deploymentId: 'job-1', status: 'running' });
    expect((await jobs.get('job-1')).progress).toEqual({ step: 'copy', done: 1, total: 3 });
    await expect(jobs.start('rollback', {}, async () => deployed)).rejects.toThrowError(
      /job-1 is still running/,
    );
    gate.resolve(deployed);
    await jobs.settled();
    expect(await jobs.get('job-1')).toMatchObject({
      status: 'deployed',
      summary: deployed.text,
      result: deployed.json,
    });
    await expect(jobs.get('nope')).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
      message: /no deployment nope/,
    });
  });

  it('records a thrown error as failed, with its code', async () => {
    const jobs = new InProcessDeployments(undefined, () => 'j');
    await jobs.start('deploy', {}, async () => {
      throw new FrontendOpsError('MCP_SERVER_ERROR', 'MCP server github: exited');
    });
    await jobs.settled();
    expect(await jobs.get('j')).toMatchObject({ status: 'failed', error: { code: 'MCP_SERVER_ERROR' } });
  });
});

describe('frontendops mcp tools (in memory)', () => {
  it('deploy_dashboard answers with an id before the deploy finishes; polling sees the result', async () => {
    const gate = deferred<Answer>();
    const seen: Array<{ args: unknown; requester: string }> = [];
    const deps: AgentServerDeps = {
      deployments: new InProcessDeployments(undefined, () => 'dep-1'),
      deploy: (args, requester) => {
        seen.push({ args, requester });
        return gate.promise;
      },
      rollback: async () => deployed,
      history: async () => [
        {
          releaseId: 'r1',
          commit: 'a'.repeat(40),
          tag: 't1',
          trigger: 'mcp',
          requestedBy: 'x',
          finishedAt: 'now',
          live: true,
        },
      ],
    };
    const client = await connected(deps);
    const started = await client.callTool({ name: 'deploy_dashboard', arguments: { dryRun: true } });
    expect(started.structuredContent).toEqual({ deploymentId: 'dep-1', status: 'running' });
    expect(seen).toEqual([{ args: { dryRun: true }, requester: 'mcp:cursor-test' }]);

    const running = await client.callTool({
      name: 'get_deployment_status',
      arguments: { deploymentId: 'dep-1' },
    });
    expect(running.structuredContent).toMatchObject({ status: 'running', kind: 'deploy' });
    gate.resolve(deployed);
    await deps.deployments.settled();
    const done = await client.callTool({
      name: 'get_deployment_status',
      arguments: { deploymentId: 'dep-1' },
    });
    expect(done.structuredContent).toMatchObject({
      status: 'deployed',
      result: { tag: 'dashboard-deploy-20261123-1' },
    });

    const listed = await client.callTool({ name: 'list_deployments', arguments: {} });
    expect(listed.structuredContent).toMatchObject({
      deployments: [{ deploymentId: 'dep-1' }],
      releases: [{ releaseId: 'r1', live: true }],
    });
  });

  it('refuses malformed arguments as an isError result with the CODE: message text', async () => {
    const deps: AgentServerDeps = {
      deployments: new InProcessDeployments(),
      deploy: async () => deployed,
      rollback: async () => deployed,
      history: async () => [],
    };
    const client = await connected(deps);
    const result = await client.callTool({
      name: 'deploy_dashboard',
      arguments: { commit: 'abc1234', tag: 'dashboard-deploy-1' },
    });
    expect(result.isError).toBe(true);
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? '';
    expect(text).toMatch(/^BAD_INPUT: deploy_dashboard arguments: .*give a commit or a tag, not both/);
    const unknown = await client.callTool({
      name: 'get_deployment_status',
      arguments: { deploymentId: 'zzz' },
    });
    expect(unknown.isError).toBe(true);
  });
});
