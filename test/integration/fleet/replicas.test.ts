import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TickEvent, Timer } from '../../../agent/src/agent/schedule.js';
import { runScheduleCommand } from '../../../agent/src/cli/schedule.js';
import type { Sandbox } from '../../../agent/src/sandbox/index.js';
import { type AgentProcess, startAgentProcess } from '../../../bench/fleet-lib.js';
import { sandboxS3Client, startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import {
  CLI,
  cliEnv,
  commitDashboardChange,
  fetchText,
  headOf,
  publishSite,
  ROOT,
  tagsIn,
  testContext,
} from '../agent/support.js';

/**
 * Issue 13 §1 on the sandbox, one claim per test: agent instances are stateless replicas over the deploy
 * jobs in the artifacts bucket. Instances are real `frontendops mcp` processes driven by the SDK's
 * client; `schedule` instances run in process with timers the test fires.
 */

type Structured = Record<string, unknown>;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function sandboxWith(options: { stacks?: number; invalidationDelayMs: number }): Promise<TestSandbox> {
  const test = await startTestSandbox(options);
  cleanups.push(() => test.stop());
  return test;
}

/** A config of its own per instance (its own audit log), from the sandbox's. */
async function instanceConfig(
  test: TestSandbox,
  name: string,
  overrides: Structured = {},
): Promise<{ configPath: string; auditPath: string }> {
  const base = JSON.parse(await readFile(test.sandbox.info.configPath, 'utf8')) as Structured;
  const configPath = join(test.dir, `config-${name}.json`);
  const auditPath = join(test.dir, `audit-${name}.jsonl`);
  await writeFile(configPath, JSON.stringify({ ...base, auditLogPath: auditPath, ...overrides }, null, 2));
  return { configPath, auditPath };
}

async function agent(test: TestSandbox, name: string, overrides: Structured = {}): Promise<AgentProcess> {
  const { configPath } = await instanceConfig(test, name, overrides);
  const started = await startAgentProcess({ cli: CLI, cwd: ROOT, configPath, name });
  cleanups.push(() => started.close());
  return started;
}

async function call(
  instance: AgentProcess,
  tool: string,
  args: Structured,
): Promise<{ ok: boolean; structured: Structured; text: string }> {
  const result = await instance.client.callTool({ name: tool, arguments: args }, undefined, {
    timeout: 120_000,
  });
  const content = (result.content ?? []) as Array<{ text?: string }>;
  return {
    ok: result.isError !== true,
    structured: (result.structuredContent ?? {}) as Structured,
    text: content[0]?.text ?? '',
  };
}

async function started(instance: AgentProcess, args: Structured): Promise<string> {
  const answer = await call(instance, 'deploy_dashboard', args);
  expect(answer.ok, answer.text).toBe(true);
  return String(answer.structured.deploymentId);
}

/** Polls get_deployment_status on `instance` until the job is no longer running. */
async function finished(instance: AgentProcess, deploymentId: string): Promise<Structured> {
  for (;;) {
    const answer = await call(instance, 'get_deployment_status', { deploymentId });
    expect(answer.ok, answer.text).toBe(true);
    if (answer.structured.status !== 'running') return answer.structured;
    await delay(200);
  }
}

async function lockOf(s3: S3Client, sandbox: Sandbox, stack: string): Promise<Structured | undefined> {
  const text = await getText(s3, sandbox.info.artifactsBucket, `locks/${stack}.json`);
  return text === undefined ? undefined : (JSON.parse(text) as Structured);
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body?.transformToString('utf8');
  } catch {
    return undefined;
  }
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

function stacksOf(sandbox: Sandbox): Array<{ name: string; edgeUrl: string }> {
  return sandbox.info.stacks ?? [{ name: 'dashboard-hosting-prod', edgeUrl: sandbox.info.edgeUrl }];
}

async function servedCommit(edgeUrl: string): Promise<string> {
  return (JSON.parse((await fetchText(`${edgeUrl}/version.json`)).text) as { commit: string }).commit;
}

describe('agent instances as stateless replicas (issue 13 §1)', () => {
  it('one instance deploys every stack in parallel; another answers for its jobs and refuses a busy stack naming the running deployment', async () => {
    // A slow invalidation keeps each deploy under its lock long enough to be seen there.
    const test = await sandboxWith({ stacks: 2, invalidationDelayMs: 2500 });
    const { sandbox } = test;
    const head = await headOf(sandbox);
    await publishSite(sandbox, head, 'replicas');
    const [a, b] = await Promise.all([agent(test, 'agent-a'), agent(test, 'agent-b')]);
    const stacks = stacksOf(sandbox).map((s) => s.name);
    expect(stacks).toHaveLength(2);

    const ids = await Promise.all(stacks.map((stack) => started(a, { stack })));
    const s3 = sandboxS3Client(sandbox);
    cleanups.push(async () => s3.destroy());
    // Both stacks are locked at the same moment, each by its own job: deploys of different stacks run
    // side by side, and a lock's id is the id of the deployment holding it.
    let locks: Array<Structured | undefined> = [];
    for (let i = 0; i < 200; i += 1) {
      locks = await Promise.all(stacks.map((stack) => lockOf(s3, sandbox, stack)));
      if (locks.every((l) => l !== undefined)) break;
      await delay(25);
    }
    expect(locks.map((l) => l?.lockId)).toEqual(ids);

    // The other instance refuses the busy stack at once, naming the running deployment and its holder.
    const busy = await call(b, 'deploy_dashboard', { stack: stacks[0] });
    expect(busy.ok).toBe(false);
    expect(busy.text).toMatch(/^DEPLOY_IN_PROGRESS: /);
    expect(busy.text).toContain(`already being deployed by`);
    expect(busy.text).toContain(ids[0]);

    // Any instance answers for any job, with the same record.
    const fromB = await Promise.all(ids.map((id) => finished(b, id)));
    const fromA = await Promise.all(ids.map((id) => finished(a, id)));
    expect(fromB.map((j) => j.status)).toEqual(['deployed', 'deployed']);
    expect(fromB.map((j) => j.instance)).toEqual(['agent-a', 'agent-a']);
    expect(fromB.map((j) => j.stack)).toEqual(stacks);
    expect(fromA).toEqual(fromB);
    for (const { edgeUrl } of stacksOf(sandbox)) expect(await servedCommit(edgeUrl)).toBe(head);

    // list_deployments on the instance that ran nothing lists both, newest first.
    const listed = await call(b, 'list_deployments', { limit: 10 });
    expect(listed.ok, listed.text).toBe(true);
    const deployments = listed.structured.deployments as Structured[];
    expect(deployments.map((d) => d.deploymentId)).toEqual([...ids].sort().reverse());
    // The refused request created no job.
    expect(deployments).toHaveLength(2);
  });

  it('schedule on three instances deploys each new commit exactly once; the others say it is being deployed or already live', async () => {
    const test = await sandboxWith({ invalidationDelayMs: 300 });
    const { sandbox } = test;
    const first = await headOf(sandbox);
    await publishSite(sandbox, first, 'first');

    const timers: Array<Timer & { fire(): void }> = [];
    const events: Array<TickEvent & { stack: string; instance: number }> = [];
    const runs: Array<Promise<number>> = [];
    const stops: Array<() => void> = [];
    for (let i = 0; i < 3; i += 1) {
      let onTick: (() => void) | undefined;
      const timer = {
        start(listener: () => void) {
          onTick = listener;
          return () => {
            onTick = undefined;
          };
        },
        next: () => undefined,
        fire: () => onTick?.(),
      };
      timers.push(timer);
      const { ctx, out, shutdown } = testContext(cliEnv({ FRONTENDOPS_INSTANCE: `scheduler-${i + 1}` }));
      runs.push(
        runScheduleCommand(
          ctx,
          { cron: '*/5 * * * *', yes: true, config: sandbox.info.configPath },
          { timer, onEvent: (event) => events.push({ ...event, instance: i }) },
        ),
      );
      stops.push(shutdown);
      while (!out().includes('Scheduled')) await delay(10);
    }
    cleanups.push(async () => {
      for (const stop of stops) stop();
      await Promise.allSettled(runs);
    });

    /** Fires every instance's timer at once and returns each instance's outcome of that tick. */
    const tickAll = async (tick: number) => {
      for (const timer of timers) timer.fire();
      for (;;) {
        const done = events.filter((e) => e.kind === 'finished' && e.tick === tick);
        if (done.length === timers.length) {
          return done.map((e) => (e.kind === 'finished' ? e.outcome : undefined));
        }
        await delay(20);
      }
    };

    /** One tick on every instance: `expectDeployed` of them deploy, the others refuse or find it live. */
    const expectTick = async (tick: number, expectDeployed: 0 | 1) => {
      const outcomes = await tickAll(tick);
      const context = JSON.stringify(outcomes);
      expect(outcomes.filter((o) => o?.status === 'deployed').length, context).toBe(expectDeployed);
      for (const other of outcomes.filter((o) => o?.status !== 'deployed')) {
        expect(['refused', 'noop'], context).toContain(other?.status);
        if (other?.status === 'refused') expect(other.summary).toMatch(/already being deployed by/);
      }
    };
    await expectTick(1, 1);
    await expectTick(2, 0);
    const second = await commitDashboardChange(sandbox, 'replicas.txt', 'dashboard: second');
    await publishSite(sandbox, second, 'second');
    await expectTick(3, 1);
    const expected = [first, second];
    // One deploy per new commit, one tag each, and the edge serves the newest.
    expect((await tagsIn(sandbox)).map((t) => t.sha)).toEqual(expected);
    expect(await servedCommit(sandbox.info.edgeUrl)).toBe(expected[1]);
  });
});

describe('a deploy whose instance died (issue 13 §1)', () => {
  it('is reported incomplete with its missing steps by another instance, and finished by the next deploy of the stack', async () => {
    // A slow invalidation: the kill lands after the files went live, before the release is complete.
    const test = await sandboxWith({ invalidationDelayMs: 4000 });
    const { sandbox } = test;
    const head = await headOf(sandbox);
    await publishSite(sandbox, head, 'killed');
    const short = { lockTtlSeconds: 5 };
    const [a, b] = await Promise.all([agent(test, 'agent-a', short), agent(test, 'agent-b', short)]);
    const s3 = sandboxS3Client(sandbox);
    cleanups.push(async () => s3.destroy());
    const buildKeys = (await listKeys(s3, sandbox.info.artifactsBucket, `builds/${head}/site/`)).map((k) =>
      k.slice(`builds/${head}/site/`.length),
    );

    const dead = await started(a, {});
    for (;;) {
      const live = await getText(s3, sandbox.info.hostingBucket, 'version.json');
      if (live?.includes(head)) break;
      await delay(20);
    }
    a.kill();

    // Another instance reads the job: running while its lease holds, then — the lease lapsed by S3's
    // clock — settled from the release journal: the release is live but unfinished.
    const settled = await finished(b, dead);
    expect(settled).toMatchObject({
      status: 'incomplete',
      instance: 'agent-a',
      commit: head,
      settledBy: { instance: 'agent-b' },
      error: { code: 'RELEASE_INCOMPLETE' },
    });
    expect(settled.missing).toContain('invalidated');

    // The next deploy of the stack (once the dead instance's lock expired) finishes that release.
    let next: Structured;
    for (;;) {
      const answer = await call(b, 'deploy_dashboard', {});
      if (answer.ok) {
        next = await finished(b, String(answer.structured.deploymentId));
        break;
      }
      expect(answer.text).toMatch(/^DEPLOY_IN_PROGRESS: /);
      await delay(500);
    }
    expect(next).toMatchObject({ status: 'deployed', commit: head, releaseId: settled.releaseId });
    // And the dead instance's job now reads as its release is: deployed.
    const after = await finished(b, dead);
    expect(after).toMatchObject({ status: 'deployed', releaseId: settled.releaseId, commit: head });
    expect(after.error).toBeUndefined();

    // One tag, the build served whole, nothing else in the hosting bucket but the engine's own file.
    expect((await tagsIn(sandbox)).map((t) => t.sha)).toEqual([head]);
    expect(await servedCommit(sandbox.info.edgeUrl)).toBe(head);
    expect((await listKeys(s3, sandbox.info.hostingBucket, '')).sort()).toEqual(
      [...buildKeys, 'deployments.json'].sort(),
    );
  });
});
