import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHeadersFor } from '../../../agent/src/deploy/cache-rules.js';
import type { SiteFile } from '../../support/builds.js';
import { type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { rejectionOf } from '../../support/rejection.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * The engine against the sandbox over HTTP (issue 3 "Done when"): one sandbox, a sequence of deploys
 * whose state carries from test to test, as a release history does.
 */
const { sandbox } = sandboxPerFile();
let engine: EngineOnSandbox;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
});
afterAll(async () => {
  await engine?.close();
});

async function expectMirror(files: readonly SiteFile[]): Promise<void> {
  for (const file of files) {
    const object = await engine.getHosting(file.path);
    expect(object.body.equals(file.content), file.path).toBe(true);
    const headers = defaultHeadersFor(file.path);
    expect(object.contentType, file.path).toBe(headers.contentType);
    expect(object.cacheControl, file.path).toBe(headers.cacheControl);
    expect(object.metadata?.sha256, file.path).toBe(createHash('sha256').update(file.content).digest('hex'));
  }
}

async function edgeText(path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${sandbox().info.edgeUrl}${path}`);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('deploy engine on the sandbox', () => {
  let v1: SiteFile[];
  let v1Commit = '';

  it('first deploy mirrors the build byte for byte with the right headers', async () => {
    const published = await engine.publishVersion(1);
    v1 = published.files;
    v1Commit = published.commit;
    const report = await engine.deploy(published.commit);
    expect(report.status).toBe('deployed');
    expect(report.copied).toBe(v1.length);
    expect(report.verify).toEqual({ status: 'passed' });
    expect(report.invalidationId).toMatch(/^I[A-Z0-9]+$/);
    await expectMirror(v1);
    // the build, and the engine-owned deployments.json the dashboard reads its history from
    expect([...(await engine.listing()).keys()].sort()).toEqual(
      [...v1.map((f) => f.path), 'deployments.json'].sort(),
    );
    const home = await edgeText('/');
    expect(home.status).toBe(200);
    expect(home.text).toBe(v1.find((f) => f.path === 'index.html')!.content.toString());
    expect(home.headers.get('cache-control')).toBe('no-cache');
    expect(JSON.parse((await edgeText('/version.json')).text).commit).toBe(published.commit);
  });

  it('redeploying the same commit is a no-op with zero copies', async () => {
    sandbox().resetRequestCounts();
    const report = await engine.deploy(v1Commit);
    expect(report.status).toBe('noop');
    expect(report.copied).toBe(0);
    const counts = sandbox().requestCounts();
    expect(counts.CopyObject ?? 0).toBe(0);
    expect(counts).toEqual(report.requests);
  });

  it('rolls back to an older commit exactly, including a same-size content change', async () => {
    // v2 changes chunks and — at the same size — version.json and a config file
    const v2 = await engine.publishVersion(2);
    const v2Config = v2.files.find((f) => f.path === 'version.json')!;
    const v1Config = v1.find((f) => f.path === 'version.json')!;
    expect(v2Config.content.length).toBe(v1Config.content.length);
    expect((await engine.deploy(v2.commit)).status).toBe('deployed');
    expect(JSON.parse((await edgeText('/version.json')).text).commit).toBe(v2.commit);

    const report = await engine.deploy(v1Commit, { trigger: 'rollback' });
    expect(report.status).toBe('deployed');
    await expectMirror(v1);
    expect(JSON.parse((await edgeText('/version.json')).text).commit).toBe(v1Commit);
    // v2's own chunks are kept for visitors still holding v2's page
    const listing = await engine.listing();
    const v2Only = v2.files.filter((f) => !v1.some((g) => g.path === f.path));
    expect(v2Only.length).toBeGreaterThan(0);
    for (const f of v2Only) expect(listing.has(f.path), f.path).toBe(true);
  });

  it('converges with a 10% fault rate, losing nothing', async () => {
    const v3 = await engine.publishVersion(3);
    // Seeded, so the faults this test relies on happen on every run rather than with high probability.
    sandbox().setFaults({ rate: 0.1, seed: 7 });
    let report: Awaited<ReturnType<EngineOnSandbox['deploy']>>;
    try {
      report = await engine.deploy(v3.commit);
    } finally {
      sandbox().setFaults({ rate: 0 });
    }
    expect(report.status).toBe('deployed');
    expect(report.retries).toBeGreaterThan(0);
    await expectMirror(v3.files);
    // a redeploy finds nothing left to do: every copy really landed
    expect((await engine.deploy(v3.commit)).status).toBe('noop');
  });

  it('fails with DEPLOY_IN_PROGRESS while another deploy holds the lock, changing nothing', async () => {
    const v4 = await engine.publishVersion(4);
    const holder = {
      schema: 1,
      lockId: 'held-by-another-deploy',
      stack: 'dashboard-hosting-prod',
      owner: 'release-bot on runner-7 (pid 99)',
      trigger: 'schedule',
      commit: v4.commit,
      requestedBy: 'release-bot',
      acquiredAt: new Date().toISOString(),
      renewedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    };
    await engine.s3.send(
      new PutObjectCommand({
        Bucket: engine.sync.source.bucket,
        Key: 'locks/dashboard-hosting-prod.json',
        Body: JSON.stringify(holder),
      }),
    );
    const before = await engine.listing();
    sandbox().resetRequestCounts();
    const error = await rejectionOf(engine.deploy(v4.commit));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.message).toContain('release-bot on runner-7');
    expect(sandbox().requestCounts().CopyObject ?? 0).toBe(0);
    expect(await engine.listing()).toEqual(before);
  });
});
