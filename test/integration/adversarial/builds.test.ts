import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrontendOpsError } from '../../../agent/src/errors.js';
import { type BucketSnapshot, snapshotBuckets } from '../../support/bucket-snapshot.js';
import { generateSite, referencedAssets, type SiteFile, writeSite } from '../../support/builds.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import { commitInScratchRepo, type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { sandboxCli } from '../../support/hostile-stack.js';
import { rejectionOf } from '../../support/rejection.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * Issue 10 §2 on the sandbox: nothing is copied until the whole build is known to be complete and
 * intact. Each tampered build is refused with both buckets exactly as they were, and the live page
 * keeps answering with every asset it references.
 */
const { sandbox } = sandboxPerFile();
let engine: EngineOnSandbox;
let scratch: string;
let live: { commit: string; files: SiteFile[] };

const snapshot = (): Promise<BucketSnapshot> =>
  snapshotBuckets(engine.s3, [sandbox().info.artifactsBucket, sandbox().info.hostingBucket]);

const siteKey = (commit: string, path: string) => `builds/${commit}/site/${path}`;

async function readManifest(
  commit: string,
): Promise<{ schema: number; files: Array<Record<string, unknown>> }> {
  const out = await engine.s3.send(
    new GetObjectCommand({ Bucket: sandbox().info.artifactsBucket, Key: `builds/${commit}/build.json` }),
  );
  return JSON.parse(await out.Body!.transformToString());
}

async function writeManifest(commit: string, manifest: unknown): Promise<void> {
  await engine.s3.send(
    new PutObjectCommand({
      Bucket: sandbox().info.artifactsBucket,
      Key: `builds/${commit}/build.json`,
      Body: JSON.stringify(manifest),
    }),
  );
}

async function putBuildFile(
  commit: string,
  path: string,
  body: string | Buffer,
): Promise<string | undefined> {
  const out = await engine.s3.send(
    new PutObjectCommand({ Bucket: sandbox().info.artifactsBucket, Key: siteKey(commit, path), Body: body }),
  );
  return out.ETag;
}

/** The live page answers, and so does every asset it references: nothing went live half-done. */
async function expectLiveSiteWhole(): Promise<void> {
  const edge = sandbox().info.edgeUrl;
  const home = await fetch(`${edge}/`);
  expect(home.status).toBe(200);
  const html = await home.text();
  expect(html).toBe(live.files.find((f) => f.path === 'index.html')!.content.toString());
  for (const asset of referencedAssets(html)) {
    const response = await fetch(`${edge}/${asset}`);
    expect(response.status, asset).toBe(200);
    await response.arrayBuffer();
  }
}

async function expectRefused(
  commit: string,
  code: string,
  trigger: 'cli' | 'rollback' = 'cli',
): Promise<FrontendOpsError> {
  const before = await snapshot();
  const error = await rejectionOf(engine.deploy(commit, { trigger }));
  expect(error.code).toBe(code);
  expect(await snapshot()).toEqual(before);
  await expectLiveSiteWhole();
  return error;
}

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-builds-'));
  live = await engine.publishVersion(1);
  expect((await engine.deploy(live.commit)).status).toBe('deployed');
});
afterAll(async () => {
  await engine?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('incomplete builds', () => {
  it('publish refuses a folder without index.html, uploading nothing', async () => {
    const dir = join(scratch, 'no-index');
    await writeSite(
      dir,
      generateSite({ files: 20, version: 2, commit: commitSha(2) }).filter((f) => f.path !== 'index.html'),
    );
    const before = await snapshot();
    sandbox().resetRequestCounts();
    const run = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', commitSha(2)]);
    expect(run.code, run.err).toBe(3);
    expect(JSON.parse(run.out)).toMatchObject({ code: 'BUILD_INCOMPLETE' });
    expect(JSON.parse(run.out).message).toContain('index.html');
    expect(sandbox().requestCounts()).toEqual({});
    expect(await snapshot()).toEqual(before);
  });

  it('deploy refuses a build.json without index.html (an older publisher), every time', async () => {
    const { commit } = await engine.publishVersion(3);
    const manifest = await readManifest(commit);
    manifest.files = manifest.files.filter((f) => f.path !== 'index.html');
    await writeManifest(commit, manifest);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const error = await expectRefused(commit, 'BUILD_INCOMPLETE');
      expect(error.message).toContain('index.html');
    }
  });

  it('deploy refuses a build without version.json', async () => {
    const { commit } = await engine.publishVersion(4);
    const manifest = await readManifest(commit);
    manifest.files = manifest.files.filter((f) => f.path !== 'version.json');
    await writeManifest(commit, manifest);
    await expectRefused(commit, 'BUILD_INCOMPLETE');
  });
});

describe('corrupt builds', () => {
  it('a stored file missing: BUILD_CORRUPT naming it, nothing copied', async () => {
    const { commit, files } = await engine.publishVersion(5);
    const victim = files.find((f) => f.path.endsWith('.js'))!.path;
    await engine.s3.send(
      new DeleteObjectCommand({ Bucket: sandbox().info.artifactsBucket, Key: siteKey(commit, victim) }),
    );
    const error = await expectRefused(commit, 'BUILD_CORRUPT');
    expect(error.message).toContain(victim);
  });

  it('a stored file of the wrong size', async () => {
    const { commit, files } = await engine.publishVersion(6);
    const file = files.find((f) => f.path === 'version.json')!;
    await putBuildFile(commit, file.path, Buffer.concat([file.content, Buffer.from(' ')]));
    const error = await expectRefused(commit, 'BUILD_CORRUPT');
    expect(error.message).toContain('version.json');
  });

  it('a stored file with other content of the same size', async () => {
    const { commit, files } = await engine.publishVersion(7);
    const file = files.find((f) => f.path.endsWith('.css'))!;
    const swapped = Buffer.from(file.content);
    swapped[swapped.length - 1] = swapped[swapped.length - 1]! ^ 0xff;
    await putBuildFile(commit, file.path, swapped);
    const error = await expectRefused(commit, 'BUILD_CORRUPT');
    expect(error.message).toContain(file.path);
  });

  it('a build.json naming a file that was never uploaded', async () => {
    const { commit } = await engine.publishVersion(8);
    const manifest = await readManifest(commit);
    manifest.files.push({
      path: 'assets/ghost-Gh0st123.js',
      size: 12,
      sha256: 'b'.repeat(64),
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
      etag: '"00000000000000000000000000000000"',
    });
    await writeManifest(commit, manifest);
    const error = await expectRefused(commit, 'BUILD_CORRUPT');
    expect(error.message).toContain('assets/ghost-Gh0st123.js');
  });

  it('the CLI reports a corrupt build as refused (exit 3) with the first offending paths', async () => {
    const commit = await commitInScratchRepo(sandbox(), 'corrupt-cli');
    const { files } = await engine.publishVersion(9, { commit });
    for (const file of files.filter((f) => f.path.endsWith('.map')).slice(0, 7)) {
      await putBuildFile(commit, file.path, 'x');
    }
    const before = await snapshot();
    const run = await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', commit, '--yes']);
    expect(run.code, run.err).toBe(3);
    const json = JSON.parse(run.out);
    expect(json).toMatchObject({ status: 'refused', code: 'BUILD_CORRUPT' });
    expect(json.message).toMatch(/\(\+\d+ more\)/);
    expect(await snapshot()).toEqual(before);
    await expectLiveSiteWhole();
  });

  it('a rollback to a build that was corrupted since is refused too', async () => {
    const older = await engine.publishVersion(10);
    const newer = await engine.publishVersion(11);
    expect((await engine.deploy(older.commit)).status).toBe('deployed');
    expect((await engine.deploy(newer.commit)).status).toBe('deployed');
    live = newer;
    const file = older.files.find((f) => f.path === 'index.html')!;
    await putBuildFile(older.commit, file.path, Buffer.alloc(file.content.length, 0x20));
    await expectRefused(older.commit, 'BUILD_CORRUPT', 'rollback');
  });

  it('a schema 1 build.json (no fingerprints) is refused with a hint; publishing it again upgrades it', async () => {
    const commit = commitSha(12);
    const dir = join(scratch, 'legacy');
    await writeSite(dir, generateSite({ files: 30, version: 12, commit }));
    const first = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', commit]);
    expect(first.code, first.err).toBe(0);
    const manifest = await readManifest(commit);
    await writeManifest(commit, {
      ...manifest,
      schema: 1,
      files: manifest.files.map(({ etag: _, ...f }) => f),
    });
    const error = await expectRefused(commit, 'BUILD_CORRUPT');
    expect(error.message).toContain('no fingerprints');
    expect(error.hint).toContain('frontendops publish');

    const upgraded = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', commit]);
    expect(upgraded.code, upgraded.err).toBe(0);
    expect(JSON.parse(upgraded.out)).toMatchObject({ status: 'upgraded' });
    expect((await readManifest(commit)).schema).toBe(2);
    expect((await engine.deploy(commit)).status).toBe('deployed');
  });
});

describe('immutable files', () => {
  it('new content under a live immutable name is refused, deploy and rollback alike', async () => {
    const current = await engine.publishVersion(13);
    expect((await engine.deploy(current.commit)).status).toBe('deployed');
    live = current;
    const asset = current.files.find((f) => f.path.startsWith('assets/') && f.path.endsWith('.svg'))!;
    const changed = current.files.map((f) =>
      f.path === asset.path ? { ...f, content: Buffer.concat([f.content, Buffer.from('<!-- v2 -->')]) } : f,
    );
    for (const [n, trigger] of [
      [14, 'cli'],
      [15, 'rollback'],
    ] as const) {
      const commit = commitSha(n);
      const dir = join(scratch, `immutable-${n}`);
      await writeSite(dir, changed);
      const published = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', commit]);
      expect(published.code, published.err).toBe(0);
      const error = await expectRefused(commit, 'IMMUTABLE_CHANGED', trigger);
      expect(error.message).toContain(asset.path);
      expect(error.hint).toMatch(/year/);
    }
  });
});
