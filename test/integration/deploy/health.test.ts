import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySourceFor } from '../../../agent/src/deploy/copy.js';
import { checkSiteHealth, type HealthDeps, type HealthFile } from '../../../agent/src/deploy/health.js';
import { readBuildManifest } from '../../../agent/src/deploy/manifest.js';
import { realSleep } from '../../../agent/src/deploy/requests.js';
import type { BuildManifest } from '../../../agent/src/deploy/schemas.js';
import { type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * The health check against the sandbox edge (the local CloudFront stand-in: default root object, SPA
 * fallback, caching by Cache-Control) after a real deploy of a generated Vite-like build. Each broken
 * case tampers with the hosting bucket, invalidates as a deploy would, and checks again.
 */
const { sandbox } = sandboxPerFile();
let engine: EngineOnSandbox;
let commit: string;
let manifest: BuildManifest;

const deps: HealthDeps = { fetch, sleep: realSleep, now: () => new Date() };
// A broken file stays broken: a short budget keeps the failing cases quick (they still retry).
const OPTIONS = { retryBudgetMs: 1_500, timeoutMs: 5_000, concurrency: 4 };

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  ({ commit } = await engine.publishVersion(1));
  const report = await engine.deploy(commit);
  expect(report.status).toBe('deployed');
  const found = await readBuildManifest(engine.s3, engine.sync, commit);
  if (found === undefined) throw new Error('the published build has no manifest');
  manifest = found;
});
afterAll(async () => {
  await engine?.close();
});

const key = (path: string) => `${engine.sync.destination.prefix}${path}`;
const bucket = () => engine.sync.destination.bucket;

/** The JS, CSS and image files index.html references (what the check must fetch). */
function pageAssets(): string[] {
  const html = manifest.files.find((f) => f.path === 'index.html');
  expect(html).toBeDefined();
  return manifest.files
    .filter((f) => /^assets\/(chunk|style|image)-/.test(f.path) && !f.path.endsWith('.map'))
    .map((f) => f.path);
}

async function invalidateAll(): Promise<void> {
  await engine.invalidator.invalidate(['/*'], { wait: true, maxWaitSeconds: 30 });
}

async function restore(path: string): Promise<void> {
  const file = manifest.files.find((f) => f.path === path)!;
  await engine.s3.send(
    new CopyObjectCommand({
      Bucket: bucket(),
      Key: key(path),
      CopySource: copySourceFor(engine.sync.source.bucket, `builds/${commit}/site/${path}`),
      MetadataDirective: 'REPLACE',
      ContentType: file.contentType,
      CacheControl: file.cacheControl,
    }),
  );
  await invalidateAll();
}

describe('checkSiteHealth through the sandbox edge', () => {
  it('a healthy deploy is ok: the page, version.json and every asset index.html references', async () => {
    const report = await checkSiteHealth(deps, { url: engine.url, commit, files: manifest.files }, OPTIONS);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    // index.html + version.json + the scripts, stylesheet and image the generated page references.
    const referenced = (await engine.getHosting(key('index.html'))).body.toString().match(/(src|href)="\//g);
    expect(report.checked).toBe(2 + (referenced?.length ?? 0));
  });

  it('an asset deleted from the hosting bucket is a failure naming it', async () => {
    const victim = pageAssets().find((p) => p.endsWith('.js'))!;
    await engine.s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key: key(victim) }));
    await invalidateAll();
    try {
      const report = await checkSiteHealth(deps, { url: engine.url, commit, files: manifest.files }, OPTIONS);
      expect(report.ok).toBe(false);
      // The edge's SPA fallback answers 200 with index.html or a 404: either way the script is not there.
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]?.path).toBe(victim);
    } finally {
      await restore(victim);
    }
  });

  it('an asset served with the wrong Content-Type is a failure with what was served and expected', async () => {
    const victim = pageAssets().find((p) => p.endsWith('.css'))!;
    await engine.s3.send(
      new CopyObjectCommand({
        Bucket: bucket(),
        Key: key(victim),
        CopySource: copySourceFor(bucket(), key(victim)),
        MetadataDirective: 'REPLACE',
        ContentType: 'text/plain',
        CacheControl: 'no-cache',
      }),
    );
    await invalidateAll();
    try {
      const report = await checkSiteHealth(deps, { url: engine.url, commit, files: manifest.files }, OPTIONS);
      expect(report.failures).toEqual([
        {
          path: victim,
          reason: 'served as text/plain, the build declares text/css',
          status: 200,
          contentType: 'text/plain',
          expected: manifest.files.find((f) => f.path === victim)!.contentType,
          code: 'HEALTH_CHECK_FAILED',
        },
      ]);
    } finally {
      await restore(victim);
    }
  });

  describe('a page that references another origin', () => {
    let foreign: Server;
    let foreignHits = 0;
    beforeAll(async () => {
      foreign = createServer((_req, res) => {
        foreignHits += 1;
        res.writeHead(200, { 'content-type': 'text/javascript' }).end('');
      });
      await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => foreign.close(resolve));
    });

    it('never fetches it (another port on the same host is another origin)', async () => {
      const port = (foreign.address() as AddressInfo).port;
      const original = (await engine.getHosting(key('index.html'))).body.toString();
      const tampered = original.replace(
        '</head>',
        `<script src="http://127.0.0.1:${port}/analytics.js"></script><link rel="stylesheet" href="//127.0.0.1:${port}/x.css"></head>`,
      );
      expect(tampered).not.toBe(original);
      await engine.s3.send(
        new PutObjectCommand({
          Bucket: bucket(),
          Key: key('index.html'),
          Body: tampered,
          ContentType: 'text/html; charset=utf-8',
          CacheControl: 'no-cache',
        }),
      );
      await invalidateAll();
      try {
        // Without the page's sha256: this page is deliberately not the build's.
        const files: HealthFile[] = manifest.files.map((f) => ({ path: f.path, contentType: f.contentType }));
        const report = await checkSiteHealth(deps, { url: engine.url, commit, files }, OPTIONS);
        expect(report.failures).toEqual([]);
        expect(foreignHits).toBe(0);
        // With it, the tampered page is reported as not this build's.
        const strict = await checkSiteHealth(
          deps,
          { url: engine.url, commit, files: manifest.files },
          { ...OPTIONS, retryBudgetMs: 0 },
        );
        expect(strict.failures.map((f) => f.path)).toEqual(['index.html']);
      } finally {
        await restore('index.html');
      }
    });
  });
});
