import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteHealthCheck } from '../../../agent/src/deploy/health.js';
import type { EngineEvent } from '../../../agent/src/deploy/pipeline.js';
import { publishBuild } from '../../../agent/src/deploy/publish.js';
import { listReleases } from '../../../agent/src/deploy/releases.js';
import { realSleep } from '../../../agent/src/deploy/requests.js';
import { DeploymentsDocumentSchema } from '../../../agent/src/deploy/schemas.js';
import { listKeysAndEtags } from '../../support/bucket-snapshot.js';
import { generateSite, referencedAssets, type SiteFile, writeSite } from '../../support/builds.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import { type EngineOnSandbox, engineOnSandbox, STACK } from '../../support/deploy-sandbox.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * A release that goes live and fails its health check is rolled back automatically (issue 10 §5):
 * its page references an asset that is not there, the check through the edge finds the 404, and the
 * previous complete release is restored as a release of kind auto-rollback — under the same lock, in
 * the same run. The report is rolled_back with what failed; both steps are told to the audit; the site
 * serves the previous release; nothing either bucket needs was lost.
 */
const { sandbox } = sandboxPerFile({ latencyMs: 2 });
let engine: EngineOnSandbox;
let scratch: string;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-health-'));
});
afterAll(async () => {
  await engine?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function publish(version: number, edit: (files: SiteFile[]) => SiteFile[] = (f) => f): Promise<string> {
  const commit = commitSha(700 + version);
  const files = edit(generateSite({ files: 40, version, commit }));
  const dir = join(scratch, `v${version}`);
  await writeSite(dir, files);
  await publishBuild(
    { s3: engine.s3 },
    { dir, commit, sync: engine.sync, stackBuckets: engine.buckets, cacheRules: [], concurrency: 8 },
  );
  return commit;
}

const keys = async (bucket: string): Promise<Set<string>> =>
  new Set(Object.keys(await listKeysAndEtags(engine.s3, bucket)));

const edge = () => sandbox().info.edgeUrl;
const text = async (path: string) => (await fetch(`${edge()}${path}`)).text();

describe('a release failing its health check', () => {
  it('is rolled back to the previous complete release, in the same run, and says what failed', async () => {
    // The product's check (deploy/health.ts), with a short retry budget: the missing chunk stays missing.
    const checkHealth = siteHealthCheck(
      { fetch, sleep: realSleep, now: () => new Date() },
      { retryBudgetMs: 1_000 },
    );
    const good = await publish(1);
    expect((await engine.deploy(good, {}, { checkHealth })).status).toBe('deployed');
    const goodIndex = await text('/');

    // a build whose page references a chunk the build does not contain
    const broken = await publish(2, (files) =>
      files.map((f) =>
        f.path === 'index.html'
          ? {
              ...f,
              content: Buffer.from(
                f.content
                  .toString()
                  .replace(
                    '</body>',
                    '<script type="module" src="/assets/missing-Zz9Yy8Xx.js"></script></body>',
                  ),
              ),
            }
          : f,
      ),
    );
    const artifactsBefore = await keys(engine.sync.source.bucket);
    const events: EngineEvent[] = [];
    const report = await engine.deploy(broken, {}, { checkHealth, onEvent: (e) => void events.push(e) });

    expect(report).toMatchObject({
      status: 'rolled_back',
      commit: broken,
      error: { code: 'HEALTH_CHECK_FAILED' },
      restored: { commit: good, status: 'complete' },
    });
    expect(report.health?.failures).toEqual([
      expect.objectContaining({ path: 'assets/missing-Zz9Yy8Xx.js', status: 404 }),
    ]);
    // both steps told to the audit, in order
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['health_check_failed', 'auto_rollback']),
    );
    expect(events.findIndex((e) => e.kind === 'health_check_failed')).toBeLessThan(
      events.findIndex((e) => e.kind === 'auto_rollback'),
    );

    // the site serves the previous release again, whole
    expect(JSON.parse(await text('/version.json')).commit).toBe(good);
    expect(await text('/')).toBe(goodIndex);
    for (const asset of referencedAssets(goodIndex)) {
      expect((await fetch(`${edge()}/${asset}`)).status, asset).toBe(200);
    }

    // the records: the failed release rolled back, the restore complete, deployments.json says so
    const [restore, failed] = await listReleases(engine.s3, engine.sync.source.bucket, STACK);
    expect(failed).toMatchObject({
      commit: broken,
      status: 'rolled_back',
      endedBy: { reason: 'health-check' },
    });
    expect(failed?.failure).toMatchObject({ step: 'verified', code: 'HEALTH_CHECK_FAILED' });
    expect(restore).toMatchObject({ commit: good, kind: 'auto-rollback', status: 'complete' });
    const document = DeploymentsDocumentSchema.parse(JSON.parse(await text('/deployments.json')));
    expect(document.live).toBe(restore?.releaseId);
    expect(document.releases.slice(0, 3).map((r) => [r.commit, r.kind, r.status])).toEqual([
      [good, 'auto-rollback', 'complete'],
      [broken, 'deploy', 'rolled_back'],
      [good, 'deploy', 'complete'],
    ]);

    // both buckets: every build kept; the hosting bucket still has the failed release's files for
    // pages that loaded it meanwhile, and all of the restored one's
    const artifactsAfter = await keys(engine.sync.source.bucket);
    expect([...artifactsBefore].filter((k) => k.startsWith('builds/') && !artifactsAfter.has(k))).toEqual([]);
    const hosting = await keys(engine.sync.destination.bucket);
    expect(referencedAssets(goodIndex).filter((a) => !hosting.has(a))).toEqual([]);
  });
});
