import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployReport } from '../../../agent/src/deploy/pipeline.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { listKeysAndEtags } from '../../support/bucket-snapshot.js';
import { type EngineOnSandbox, engineOnSandbox, readCurrentJournal } from '../../support/deploy-sandbox.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * Two deployers, skewed clocks and a slow invalidation (issue 10 §4). Regressions: the lock was not
 * renewed during the invalidation wait, so a second deploy took it over and deployed while the first
 * then failed verify; and a deployer whose clock was 20 minutes fast took over a freshly renewed lock,
 * both runs exiting 0 "deployed". Expiry is judged by S3's clock; the holder renews through the wait;
 * a holder that stalled past its TTL loses the lock and changes nothing irreversible after that.
 */
const TTL_SECONDS = 10;
const INVALIDATION_MS = 30_000; // three TTLs: only renewal keeps the lock through the wait
const MINUTE = 60_000;
const { sandbox } = sandboxPerFile({ latencyMs: 2, invalidationDelayMs: INVALIDATION_MS });
let engine: EngineOnSandbox;

beforeAll(async () => {
  // The engine waits for the slow invalidation well past its delay: renewal, not the wait's limit, is
  // what this file measures (a 30 s invalidation against a 30 s limit made every deploy incomplete).
  engine = await engineOnSandbox(sandbox(), {
    lockTtlSeconds: TTL_SECONDS,
    invalidation: { collapseAbove: 25, maxWaitSeconds: 4 * (INVALIDATION_MS / 1000) },
  });
});
afterAll(async () => {
  await engine?.close();
});

const skewed = (ms: number) => () => new Date(Date.now() + ms);

const keys = async (bucket: string): Promise<string[]> =>
  Object.keys(await listKeysAndEtags(engine.s3, bucket)).sort();

const journal = () => readCurrentJournal(engine);

async function outcome(run: Promise<DeployReport>): Promise<DeployReport | FrontendOpsError> {
  return run.then(
    (report) => report,
    (error: unknown) => {
      if (error instanceof FrontendOpsError) return error;
      throw error;
    },
  );
}

describe('the deploy lock under clock skew and slow invalidations', () => {
  it('starts from a live release', async () => {
    const v1 = await engine.publishVersion(1, { files: 40 });
    expect((await engine.deploy(v1.commit)).status).toBe('deployed');
  });

  it('regression: a holder renewing through a slow invalidation keeps the lock against deployers 20 minutes fast and slow', async () => {
    const v2 = await engine.publishVersion(2, { files: 40 });
    const v3 = await engine.publishVersion(3, { files: 40 });
    // The holder waits in its tag step (under the lock, after the slow invalidation) until every attempt
    // has returned: an attempt still running when the holder unlocked could legitimately deploy v3 after
    // it, and under load that race turned this file red (regression: an attempt counted as a violation).
    let holderInTag = false;
    let releaseHolder: () => void = () => undefined;
    const holderMayFinish = new Promise<void>((resolve) => {
      releaseHolder = resolve;
    });
    const holderDone = engine.deploy(
      v2.commit,
      {
        tag: async () => {
          holderInTag = true;
          await holderMayFinish;
          return 'holder-tag';
        },
      },
      { identity: { host: 'holder', pid: 1 } },
    );
    let holderSettled = false;
    holderDone
      .finally(() => {
        holderSettled = true;
      })
      .catch(() => undefined);
    const attempts: Array<DeployReport | FrontendOpsError> = [];
    const renewedSeen = new Set<string>();
    for (let i = 0; !holderInTag && !holderSettled; i += 1) {
      const skew = i % 2 === 0 ? 20 * MINUTE : -20 * MINUTE;
      const attempt = await outcome(
        engine.deploy(v3.commit, {}, { now: skewed(skew), identity: { host: `skewed-${skew}`, pid: 2 } }),
      );
      attempts.push(attempt);
      if (attempt instanceof FrontendOpsError) {
        const holderLock = attempt.data?.holder as { renewedAt?: string } | undefined;
        if (holderLock?.renewedAt) renewedSeen.add(holderLock.renewedAt);
      }
      await sleep(700);
    }
    releaseHolder();
    const report = await holderDone;
    expect(report.status).toBe('deployed');
    // every attempt while the holder ran was turned away, none deployed
    expect(attempts.length).toBeGreaterThan(3);
    expect(attempts.filter((a) => !(a instanceof FrontendOpsError))).toEqual([]);
    expect(new Set(attempts.map((a) => (a as FrontendOpsError).code))).toEqual(
      new Set(['DEPLOY_IN_PROGRESS']),
    );
    // the holder renewed while it waited (the attempts saw its lock rewritten more than once)
    expect(renewedSeen.size).toBeGreaterThan(1);
    expect((await journal()).commit).toBe(v2.commit);
  });

  it('a holder that stalls past its TTL loses the lock to a deployer with a slow clock, reports LOCK_LOST and changes nothing irreversible after', async () => {
    const v4 = await engine.publishVersion(4, { files: 40 });
    const v5 = await engine.publishVersion(5, { files: 40 });
    const tagged: string[] = [];
    // the stalled holder: its renewal timer never fires (a process frozen by the OS, a GC pause…)
    const stalled = outcome(
      engine.deploy(
        v4.commit,
        {
          tag: async (release) => {
            tagged.push(release.commit);
            return 'stalled-tag';
          },
        },
        { setTimer: () => () => undefined, identity: { host: 'stalled', pid: 3 } },
      ),
    );
    // wait until the stalled holder is inside its invalidation wait, then past its TTL by S3's clock
    const deadline = Date.now() + 60_000;
    while ((await journal()).commit !== v4.commit || !(await journal()).steps.copied.done) {
      if (Date.now() > deadline) throw new Error('the stalled deploy never finished copying');
      await sleep(200);
    }
    let taker: DeployReport | FrontendOpsError;
    do {
      taker = await outcome(
        engine.deploy(v5.commit, {}, { now: skewed(-20 * MINUTE), identity: { host: 'slow-clock', pid: 4 } }),
      );
      if (taker instanceof FrontendOpsError && taker.code === 'DEPLOY_IN_PROGRESS') await sleep(500);
      else break;
    } while (Date.now() < deadline);
    expect(taker).not.toBeInstanceOf(FrontendOpsError);
    expect((taker as DeployReport).status).toBe('deployed');
    expect((taker as DeployReport).previous).toMatchObject({ action: 'supersede', commit: v4.commit });
    const hostingAfterTaker = await keys(engine.sync.destination.bucket);
    const journalAfterTaker = await journal();

    const lost = await stalled;
    expect(lost).toBeInstanceOf(FrontendOpsError);
    expect((lost as FrontendOpsError).code).toBe('LOCK_LOST');
    // after losing, the stalled holder tagged nothing, pruned nothing and wrote no journal
    expect(tagged).toEqual([]);
    expect(await keys(engine.sync.destination.bucket)).toEqual(hostingAfterTaker);
    expect(await journal()).toEqual(journalAfterTaker);
    expect(journalAfterTaker).toMatchObject({ commit: v5.commit, status: 'complete' });
    const served = await (await fetch(`${sandbox().info.edgeUrl}/version.json`)).text();
    expect(JSON.parse(served).commit).toBe(v5.commit);
  });
});
