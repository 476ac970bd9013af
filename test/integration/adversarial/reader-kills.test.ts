import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployReport } from '../../../agent/src/deploy/pipeline.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { listKeysAndEtags } from '../../support/bucket-snapshot.js';
import { type EngineOnSandbox, engineOnSandbox, readCurrentJournal } from '../../support/deploy-sandbox.js';
import { type Broken, readPageOnce } from '../../support/edge-reader.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * The visitor's view under the worst conditions of issue 10's "Done when": a reader keeps loading
 * pages from the edge, and every asset each page references, through 20 deploys of different commits
 * while 10% of S3 requests fail (seeded faults: throttling, 500s, resets, 200-with-error copies) and
 * every fourth deploy is a child process killed with SIGKILL somewhere in the pipeline. The reader
 * must see 0 pages that reference a missing asset; at the end the stack is whole, its journal
 * complete, and nothing of either bucket was lost that a kept release needs.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CHILD = join(ROOT, 'test', 'support', 'deploy-child.mjs');
const TTL_SECONDS = 5;
const DEPLOYS = 20;
const KILL_POINTS = ['mid-copy', 'after-index', 'invalidation-wait', 'journaled', 'after-record'];
const { sandbox } = sandboxPerFile({ latencyMs: 2 });
let engine: EngineOnSandbox;
let child: ChildProcess | undefined;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox(), { lockTtlSeconds: TTL_SECONDS });
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await engine?.close();
});

const keys = async (bucket: string): Promise<Set<string>> =>
  new Set(Object.keys(await listKeysAndEtags(engine.s3, bucket)));

async function killedDeploy(commit: string, point: string): Promise<void> {
  child = spawn(
    process.execPath,
    [
      CHILD,
      JSON.stringify({
        config: sandbox().info.configPath,
        commit,
        pauseAt: point,
        lockTtlSeconds: TTL_SECONDS,
      }),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const proc = child;
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  let out = '';
  await new Promise<void>((resolve) => {
    proc.stdout?.on('data', (c) => {
      out += String(c);
      if (out.includes('PAUSED')) resolve();
    });
    // with faults a child may end on its own (incomplete, or it finished first): that is fine too
    proc.on('exit', () => resolve());
  });
  proc.kill('SIGKILL');
  await exited;
}

/** A deploy that waits out a dead deployer's lock (its TTL by S3's clock) instead of failing on it. */
async function deployThroughLocks(commit: string): Promise<DeployReport> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await engine.deploy(commit, {}, { attemptTimeoutMs: 10_000 });
    } catch (error) {
      const busy = error instanceof FrontendOpsError && error.code === 'DEPLOY_IN_PROGRESS';
      if (!busy || Date.now() > deadline) throw error;
      await sleep(1_000);
    }
  }
}

describe('a reader polling the edge through 20 deploys with kills and 10% S3 faults', () => {
  it('never gets a page that references a missing asset', async () => {
    const commits: string[] = [];
    for (let version = 1; version <= DEPLOYS + 1; version += 1) {
      commits.push((await engine.publishVersion(version, { files: 60, churn: 6 })).commit);
    }
    expect((await engine.deploy(commits[0]!)).status).toBe('deployed');
    const buildsBefore = [...(await keys(engine.sync.source.bucket))].filter((k) => k.startsWith('builds/'));

    const edge = sandbox().info.edgeUrl;
    const broken: Broken[] = [];
    let pagesRead = 0;
    let assetsChecked = 0;
    let deploying = true;
    const reader = (async () => {
      while (deploying) {
        for (const page of ['/', '/index.html', '/docs/page-0.html']) {
          assetsChecked += await readPageOnce(edge, page, broken);
          pagesRead += 1;
        }
      }
    })();

    const outcomes: string[] = [];
    sandbox().setFaults({ rate: 0.1, seed: 20261123 });
    try {
      for (let i = 1; i <= DEPLOYS; i += 1) {
        const commit = commits[i]!;
        if (i % 4 === 0) {
          await killedDeploy(commit, KILL_POINTS[(i / 4 - 1) % KILL_POINTS.length]!);
          outcomes.push('killed');
          continue;
        }
        const report = await deployThroughLocks(commit);
        outcomes.push(report.status);
      }
    } finally {
      sandbox().setFaults({ rate: 0 });
      deploying = false;
      await reader;
    }

    expect(broken).toEqual([]);
    expect(pagesRead).toBeGreaterThan(30);
    expect(assetsChecked).toBeGreaterThan(100);
    expect(outcomes.filter((o) => o === 'killed')).toHaveLength(DEPLOYS / 4);
    expect(outcomes.filter((o) => o === 'deployed').length).toBeGreaterThan(DEPLOYS / 2);

    // Once the faults stop, the last commit ends live and complete, whatever the last run left.
    const last = await deployThroughLocks(commits[DEPLOYS]!);
    expect(['deployed', 'noop']).toContain(last.status);
    const record = await readCurrentJournal(engine);
    expect(record).toMatchObject({ status: 'complete', commit: commits[DEPLOYS] });
    // both buckets: every build is still there; the hosting bucket holds exactly the kept releases
    const artifacts = await keys(engine.sync.source.bucket);
    expect(buildsBefore.filter((k) => !artifacts.has(k))).toEqual([]);
    const expected = new Set([...record.files, ...record.retained].map((f) => f.path));
    expected.add('deployments.json');
    expect([...(await keys(engine.sync.destination.bucket))].sort()).toEqual([...expected].sort());
    expect(broken).toEqual([]);
  }, 600_000);
});
