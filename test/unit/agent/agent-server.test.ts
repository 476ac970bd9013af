import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answer } from '../../../agent/src/agent/dispatch.js';
import { JobCoordinator } from '../../../agent/src/agent/jobs.js';
import type { AgentServerDeps, ToolCallRecord } from '../../../agent/src/mcp/agent-server/deps.js';
import { createServer } from '../../../agent/src/mcp/agent-server/server.js';
import { FakeJobBackend } from '../../support/fake-job-backend.js';

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

function jobsOver(backend: FakeJobBackend, instance = 'host-a') {
  return new JobCoordinator({
    backend,
    instance,
    leaseSeconds: 30,
    now: () => new Date('2026-11-23T10:00:00Z'),
  });
}

function depsWith(overrides: Partial<AgentServerDeps> & { backend?: FakeJobBackend } = {}) {
  const audited: ToolCallRecord[] = [];
  const { backend = new FakeJobBackend(['dashboard-hosting-prod']), ...rest } = overrides;
  const deps: AgentServerDeps = {
    jobs: jobsOver(backend),
    deploy: async () => deployed,
    rollback: async () => deployed,
    history: async () => [],
    audit: async (record) => {
      audited.push(record);
    },
    ...rest,
  };
  return { deps, audited, backend };
}

describe('frontendops mcp tools (in memory)', () => {
  it('deploy_dashboard answers with an id before the deploy finishes; polling sees the result', async () => {
    const gate = deferred<Answer>();
    const seen: Array<{ args: unknown; stack: string; requester: string }> = [];
    const { deps, audited } = depsWith({
      deploy: (args, stack, requester) => {
        seen.push({ args, stack, requester });
        return gate.promise;
      },
      history: async (stack) => [
        {
          releaseId: `r1-${stack}`,
          commit: 'a'.repeat(40),
          tag: 't1',
          trigger: 'mcp',
          requestedBy: 'x',
          finishedAt: 'now',
          live: true,
        },
      ],
    });
    const client = await connected(deps);
    const started = await client.callTool({ name: 'deploy_dashboard', arguments: { dryRun: true } });
    const id = (started.structuredContent as { deploymentId: string }).deploymentId;
    expect(started.structuredContent).toEqual({
      deploymentId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      status: 'running',
      stack: 'dashboard-hosting-prod',
    });
    expect(seen).toEqual([
      { args: { dryRun: true }, stack: 'dashboard-hosting-prod', requester: 'mcp:cursor-test' },
    ]);

    const running = await client.callTool({ name: 'get_deployment_status', arguments: { deploymentId: id } });
    expect(running.structuredContent).toMatchObject({
      status: 'running',
      kind: 'deploy',
      instance: 'host-a',
    });
    gate.resolve(deployed);
    await deps.jobs.settled();
    const done = await client.callTool({ name: 'get_deployment_status', arguments: { deploymentId: id } });
    expect(done.structuredContent).toMatchObject({
      status: 'deployed',
      tag: 'dashboard-deploy-20261123-1',
      result: { tag: 'dashboard-deploy-20261123-1' },
    });

    const listed = await client.callTool({ name: 'list_deployments', arguments: {} });
    expect(listed.structuredContent).toMatchObject({
      deployments: [{ deploymentId: id }],
      releases: [{ releaseId: 'r1-dashboard-hosting-prod', live: true }],
    });
    // Polls and lists are audited here; the started deploy audits itself in its own request.
    expect(audited.map((a) => [a.tool, a.status])).toEqual([
      ['get_deployment_status', 'ok'],
      ['get_deployment_status', 'ok'],
      ['list_deployments', 'ok'],
    ]);
  });

  it('takes a stack argument, required when several stacks are configured, and lists it in the schemas', async () => {
    const backend = new FakeJobBackend(['blue', 'green']);
    const { deps, audited } = depsWith({ backend });
    const client = await connected(deps);
    const { tools } = await client.listTools();
    for (const tool of tools) expect(Object.keys(tool.inputSchema.properties ?? {})).toContain('stack');

    const ambiguous = await client.callTool({ name: 'deploy_dashboard', arguments: {} });
    expect(ambiguous.isError).toBe(true);
    expect((ambiguous.content as Array<{ text: string }>)[0]?.text).toMatch(
      /^BAD_INPUT: 2 stacks are configured/,
    );
    const unknown = await client.callTool({ name: 'deploy_dashboard', arguments: { stack: 'red' } });
    expect((unknown.content as Array<{ text: string }>)[0]?.text).toMatch(/^STACK_NOT_CONFIGURED/);
    expect(backend.store_.writes).toBe(0);

    const blue = await client.callTool({ name: 'deploy_dashboard', arguments: { stack: 'blue' } });
    const green = await client.callTool({ name: 'deploy_dashboard', arguments: { stack: 'green' } });
    expect(blue.isError).toBeFalsy();
    expect(green.isError).toBeFalsy();
    await deps.jobs.settled();
    const listed = await client.callTool({ name: 'list_deployments', arguments: {} });
    const deployments = (listed.structuredContent as { deployments: Array<{ stack: string }> }).deployments;
    expect(deployments.map((d) => d.stack)).toEqual(['green', 'blue']);
    expect((listed.structuredContent as { releases: unknown[] }).releases).toEqual([]);
    expect(audited.filter((a) => a.status === 'refused').map((a) => a.code)).toEqual([
      'BAD_INPUT',
      'STACK_NOT_CONFIGURED',
    ]);
  });

  it('answers a request for a busy stack at once with the running deployment, and audits the refusal', async () => {
    const gate = deferred<Answer>();
    const { deps, audited } = depsWith({ deploy: () => gate.promise });
    const client = await connected(deps);
    const first = await client.callTool({ name: 'deploy_dashboard', arguments: {} });
    const id = (first.structuredContent as { deploymentId: string }).deploymentId;
    const second = await client.callTool({ name: 'rollback_dashboard', arguments: {} });
    expect(second.isError).toBe(true);
    const text = (second.content as Array<{ text: string }>)[0]?.text ?? '';
    expect(text).toContain(
      `DEPLOY_IN_PROGRESS: dashboard-hosting-prod is already being deployed by this instance`,
    );
    expect(text).toContain(id);
    expect(audited).toMatchObject([
      { tool: 'rollback_dashboard', status: 'refused', code: 'DEPLOY_IN_PROGRESS', deploymentId: id },
    ]);
    gate.resolve(deployed);
    await deps.jobs.settled();
  });

  it('refuses malformed arguments as an isError result with the CODE: message text', async () => {
    const { deps } = depsWith();
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
    expect((unknown.content as Array<{ text: string }>)[0]?.text).toMatch(/^JOB_NOT_FOUND/);
  });
});
