import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseRecord } from '../../../agent/src/deploy/schemas.js';
import { listKeysAndEtags } from '../../support/bucket-snapshot.js';
import { referencedAssets } from '../../support/builds.js';
import { type EngineOnSandbox, engineOnSandbox, readCurrentJournal } from '../../support/deploy-sandbox.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * kill -9 at every phase boundary of a release (issue 10 §3, "Done when"): a real child process runs
 * the engine, stops dead at a named point and is killed with SIGKILL — no cleanup, no unlock, no
 * journal update. At that moment the live page must reference no missing asset and nothing of the
 * live release may be gone; the next run (once the dead deployer's lock expired by S3's clock) must
 * finish the release or replace it, and say which. Regression: a kill between the index.html copy and
 * the record write once made the next deploy delete all 22 assets the live page referenced.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CHILD = join(ROOT, 'test', 'support', 'deploy-child.mjs');
const TTL_SECONDS = 5;
const { sandbox } = sandboxPerFile({ latencyMs: 5 });
let engine: EngineOnSandbox;
let child: ChildProcess | undefined;
let version = 0;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox(), { lockTtlSeconds: TTL_SECONDS });
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await engine?.close();
});

const listing = async (bucket: string): Promise<Map<string, string>> =>
  new Map(Object.entries(await listKeysAndEtags(engine.s3, bucket)));

const hosting = () => listing(engine.sync.destination.bucket);
const artifacts = () => listing(engine.sync.source.bucket);

const journal = (): Promise<ReleaseRecord> => readCurrentJournal(engine);

/** Every asset the live index.html references is in the bucket, and the edge serves page and assets. */
async function expectWholePage(): Promise<void> {
  const keys = await hosting();
  const html = (await engine.getHosting('index.html')).body.toString();
  const missing = referencedAssets(html).filter((asset) => !keys.has(asset));
  expect(missing, 'assets the live index.html references but the bucket lacks').toEqual([]);
  const edge = sandbox().info.edgeUrl;
  const page = await fetch(`${edge}/`);
  const served = await page.text();
  expect(page.status).toBe(200);
  for (const asset of referencedAssets(served)) {
    const response = await fetch(`${edge}/${asset}`);
    await response.arrayBuffer();
    expect(response.status, `edge: ${asset}`).toBe(200);
  }
}

/** Runs the child deploy until it reports `PAUSED <point>`, then kills it with SIGKILL. */
async function killAt(commit: string, point: string, extra: Record<string, unknown> = {}): Promise<void> {
  child = spawn(
    process.execPath,
    [
      CHILD,
      JSON.stringify({
        config: sandbox().info.configPath,
        commit,
        pauseAt: point,
        lockTtlSeconds: TTL_SECONDS,
        ...extra,
      }),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const proc = child;
  let out = '';
  let err = '';
  proc.stderr?.on('data', (c) => {
    err += String(c);
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    proc.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (c) => {
      out += String(c);
      if (out.includes(`PAUSED ${point}`)) resolve();
    });
    proc.on('exit', () => reject(new Error(`the child ended before ${point}: ${out}\n${err}`)));
  });
  proc.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

/** Waits until the dead deployer's lock has expired by S3's clock (whole seconds, plus a second). */
async function waitOutTheLock(): Promise<void> {
  await sleep(TTL_SECONDS * 1000 + 2_500);
}

async function publishNext(): Promise<{ commit: string; paths: string[] }> {
  version += 1;
  const published = await engine.publishVersion(version, { files: 80, churn: 6 });
  return { commit: published.commit, paths: published.files.map((f) => f.path) };
}

describe('kill -9 at each phase boundary', () => {
  it('starts from a complete live release', async () => {
    const { commit } = await publishNext();
    expect((await engine.deploy(commit)).status).toBe('deployed');
    expect((await journal()).status).toBe('complete');
  });

  for (const point of ['journaled', 'mid-copy', 'after-index', 'after-record', 'invalidation-wait']) {
    it(`killed at ${point}: the live page stays whole, nothing is lost, and the next run finishes the release`, async () => {
      const next = await publishNext();
      const hostingBefore = await hosting();
      const artifactsBefore = await artifacts();

      await killAt(next.commit, point);

      // Right after the kill: the journal names the release, pending, with its whole file list.
      const pending = await journal();
      expect(pending).toMatchObject({ status: 'pending', commit: next.commit });
      expect(pending.files.map((f) => f.path).sort()).toEqual([...next.paths].sort());
      await expectWholePage();
      // Nothing of the previous release was deleted, nothing of the artifacts bucket either.
      const hostingAfterKill = await hosting();
      expect([...hostingBefore.keys()].filter((k) => !hostingAfterKill.has(k))).toEqual([]);
      const artifactsAfterKill = await artifacts();
      expect([...artifactsBefore.keys()].filter((k) => !artifactsAfterKill.has(k))).toEqual([]);

      await waitOutTheLock();
      const finished = await engine.deploy(next.commit);
      expect(finished).toMatchObject({
        status: 'deployed',
        releaseId: pending.releaseId,
        previous: { action: 'finish', releaseId: pending.releaseId },
      });
      const done = await journal();
      expect(done.status).toBe('complete');
      expect(done.steps.copied.done && done.steps.invalidated.done && done.steps.published.done).toBe(true);
      await expectWholePage();
      const served = await (await fetch(`${sandbox().info.edgeUrl}/version.json`)).text();
      expect(JSON.parse(served).commit).toBe(next.commit);
      // The bucket holds exactly the release, what older pages may still need, and deployments.json.
      const expected = new Set([...done.files, ...done.retained].map((f) => f.path));
      expected.add('deployments.json');
      expect([...(await hosting()).keys()].sort()).toEqual([...expected].sort());
      const artifactsAfter = await artifacts();
      expect([...artifactsBefore.keys()].filter((k) => !artifactsAfter.has(k))).toEqual([]);
    });
  }

  it('killed before prune: the next run of another commit replaces it, keeping every file its page may use', async () => {
    const killed = await publishNext();
    await killAt(killed.commit, 'before-prune', { keepReleases: 1 });
    const pending = await journal();
    // the copy is recorded; the invalidation and the check, harmless to repeat, ride on the next write
    expect(pending).toMatchObject({ status: 'pending', commit: killed.commit });
    expect(pending.steps.copied.done).toBe(true);
    expect(pending.steps.pruned.done).toBe(false);
    await expectWholePage();

    await waitOutTheLock();
    const next = await publishNext();
    const replaced = await engine.deploy(next.commit);
    expect(replaced).toMatchObject({
      status: 'deployed',
      previous: { action: 'supersede', releaseId: pending.releaseId },
    });
    await expectWholePage();
    const done = await journal();
    expect(done).toMatchObject({ status: 'complete', supersedes: pending.releaseId });
    // the replaced release's files are kept for pages still open in browsers (it was live)
    const keys = await hosting();
    const killedOnly = pending.files.map((f) => f.path).filter((p) => !done.files.some((f) => f.path === p));
    expect(killedOnly.filter((p) => !keys.has(p))).toEqual([]);
  });
});
