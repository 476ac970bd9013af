import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listObjectsUnder } from '../../../agent/src/deploy/listing.js';
import { compareBuildListing } from '../../../agent/src/deploy/preflight.js';
import { type PublishReport, publishBuild } from '../../../agent/src/deploy/publish.js';
import { PublishClaimSchema } from '../../../agent/src/deploy/publish-claim.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { BuildManifestSchema } from '../../../agent/src/deploy/schemas.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { type BucketSnapshot, lostOrChanged, snapshotBuckets } from '../../support/bucket-snapshot.js';
import { generateSite, type SiteFile, writeSite } from '../../support/builds.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import { type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';

/**
 * Issue 10 §2 on the sandbox: `publish` cannot leave a build whose files disagree with its build.json.
 * Two real publishes of one commit with different content race over HTTP: exactly one wins, the other
 * reports BUILD_EXISTS, and the stored files are the winner's, byte for byte. A publish killed with
 * SIGKILL mid-upload can be redone once its claim expires by S3's clock.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { sandbox, dir } = sandboxPerFile({ latencyMs: 15 });
let engine: EngineOnSandbox;
let scratch: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-race-'));
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await engine?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const artifacts = () => sandbox().info.artifactsBucket;
const snapshot = (): Promise<BucketSnapshot> =>
  snapshotBuckets(engine.s3, [artifacts(), sandbox().info.hostingBucket]);

/** The same commit built twice: a different `builtAt` in version.json and one changed page. */
function variant(commit: string, label: string, files = 40): SiteFile[] {
  return generateSite({ files, version: 1, commit }).map((f) => {
    if (f.path === 'version.json')
      return {
        ...f,
        content: Buffer.from(JSON.stringify({ commit, builtAt: `2026-11-23T09:00:0${label}Z` })),
      };
    if (f.path === 'robots.txt') return { ...f, content: Buffer.from(`User-agent: *\n# build ${label}\n`) };
    return f;
  });
}

async function siteDir(name: string, files: SiteFile[]): Promise<string> {
  const path = join(scratch, name);
  await writeSite(path, files);
  return path;
}

function publishWith(s3: S3Client, path: string, commit: string, extra: Record<string, unknown> = {}) {
  return publishBuild(
    { s3 },
    {
      dir: path,
      commit,
      sync: engine.sync,
      stackBuckets: sandbox().info,
      cacheRules: [],
      concurrency: 8,
      pollMs: 100,
      ...extra,
    },
  );
}

async function storedManifest(commit: string) {
  const out = await engine.s3.send(
    new GetObjectCommand({ Bucket: artifacts(), Key: `builds/${commit}/build.json` }),
  );
  return BuildManifestSchema.parse(JSON.parse(await out.Body!.transformToString()));
}

/** The stored build is exactly `files`: listing vs build.json, and every object's bytes. */
async function expectStoredBuild(commit: string, files: readonly SiteFile[]): Promise<void> {
  const manifest = await storedManifest(commit);
  const runner = createRequestRunner({ sleep: (ms) => sleep(ms) });
  const listing = await listObjectsUnder(engine.s3, runner, {
    bucket: artifacts(),
    prefix: `builds/${commit}/site/`,
  });
  expect(compareBuildListing(manifest, listing)).toEqual([]);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  expect(manifest.files.map((f) => [f.path, f.sha256]).sort()).toEqual(
    files.map((f) => [f.path, sha(f.content)]).sort(),
  );
  const limit = pLimit(8);
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        const out = await engine.s3.send(
          new GetObjectCommand({ Bucket: artifacts(), Key: `builds/${commit}/site/${file.path}` }),
        );
        expect(Buffer.from(await out.Body!.transformToByteArray()).equals(file.content), file.path).toBe(
          true,
        );
      }),
    ),
  );
}

describe('two concurrent publishes of one commit', () => {
  it('with different content: exactly one wins, the other is BUILD_EXISTS, the winner stays intact', async () => {
    for (const round of [1, 2, 3]) {
      const commit = commitSha(100 + round);
      const a = variant(commit, 'a');
      const b = variant(commit, 'b');
      const [dirA, dirB] = await Promise.all([siteDir(`a-${round}`, a), siteDir(`b-${round}`, b)]);
      const before = await snapshot();
      const clients = [sandboxS3Client(sandbox()), sandboxS3Client(sandbox())];
      let results: PromiseSettledResult<PublishReport>[];
      try {
        results = await Promise.allSettled([
          publishWith(clients[0]!, dirA, commit),
          publishWith(clients[1]!, dirB, commit),
        ]);
      } finally {
        for (const c of clients) c.destroy();
      }
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won, `round ${round}: ${JSON.stringify(results.map((r) => r.status))}`).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(FrontendOpsError);
      expect((lost.reason as FrontendOpsError).code).toBe('BUILD_EXISTS');
      expect((results[won[0]!] as PromiseFulfilledResult<PublishReport>).value.status).toBe('published');
      await expectStoredBuild(commit, won[0] === 0 ? a : b);

      const after = await snapshot();
      expect(after[sandbox().info.hostingBucket]).toEqual(before[sandbox().info.hostingBucket]);
      expect(lostOrChanged(before[artifacts()] ?? {}, after[artifacts()] ?? {})).toEqual([]);
      const added = Object.keys(after[artifacts()] ?? {}).filter((k) => !(k in (before[artifacts()] ?? {})));
      expect(added.every((k) => k.startsWith(`builds/${commit}/`))).toBe(true);
      const claim = PublishClaimSchema.parse(
        JSON.parse(
          await (
            await engine.s3.send(
              new GetObjectCommand({ Bucket: artifacts(), Key: `builds/${commit}/publish.json` }),
            )
          ).Body!.transformToString(),
        ),
      );
      expect(claim.released).toBe(true);
    }
  });

  it('the winning build deploys and serves the winner', async () => {
    const commit = commitSha(101);
    const report = await engine.deploy(commit);
    expect(report.status).toBe('deployed');
    const served = JSON.parse(await (await fetch(`${sandbox().info.edgeUrl}/version.json`)).text());
    const manifest = await storedManifest(commit);
    const entry = manifest.files.find((f) => f.path === 'version.json')!;
    expect(createHash('sha256').update(JSON.stringify(served)).digest('hex')).toBe(entry.sha256);
  });

  it('with identical content: both succeed, one publishes and one finds it unchanged', async () => {
    const commit = commitSha(110);
    const files = variant(commit, 'a');
    const [dirA, dirB] = await Promise.all([siteDir('same-a', files), siteDir('same-b', files)]);
    const clients = [sandboxS3Client(sandbox()), sandboxS3Client(sandbox())];
    try {
      const reports = await Promise.all([
        publishWith(clients[0]!, dirA, commit),
        publishWith(clients[1]!, dirB, commit),
      ]);
      expect(reports.map((r) => r.status).sort()).toEqual(['published', 'unchanged']);
    } finally {
      for (const c of clients) c.destroy();
    }
    await expectStoredBuild(commit, files);
    // and again, later: still a no-op
    expect((await publishWith(engine.s3, dirA, commit)).status).toBe('unchanged');
  });

  it('a publisher whose clock runs 20 minutes fast cannot take over a fresh claim', async () => {
    const commit = commitSha(120);
    const holder = {
      schema: 1,
      claimId: 'live-holder-1',
      commit,
      owner: 'ci on runner-7 (pid 4242)',
      ttlSeconds: 300,
      digest: 'c'.repeat(64),
      acquiredAt: new Date().toISOString(),
      renewal: 0,
      released: false,
    };
    const key = `builds/${commit}/publish.json`;
    await engine.s3.send(
      new PutObjectCommand({ Bucket: artifacts(), Key: key, Body: JSON.stringify(holder) }),
    );
    const before = await snapshot();
    const fast = () => new Date(Date.now() + 20 * 60_000);
    const waited: string[] = [];
    const error = await publishBuild(
      { s3: engine.s3, now: fast, onWait: (h) => waited.push(h.owner) },
      {
        dir: await siteDir('skewed', variant(commit, 'a')),
        commit,
        sync: engine.sync,
        stackBuckets: sandbox().info,
        cacheRules: [],
        concurrency: 8,
        pollMs: 200,
        maxWaitSeconds: 2,
      },
    ).catch((e: unknown) => e);
    expect((error as FrontendOpsError).code).toBe('PUBLISH_IN_PROGRESS');
    expect(waited).toEqual(['ci on runner-7 (pid 4242)']);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a publish killed mid-upload', () => {
  it('holds its claim until it expires by S3 clock, then a redo with other content completes intact', async () => {
    const commit = commitSha(130);
    const crashed = variant(commit, 'a', 300);
    const redo = variant(commit, 'b', 300);
    const crashDir = await siteDir('crash', crashed);
    const redoDir = await siteDir('redo', redo);
    const config = JSON.parse(await readFile(sandbox().info.configPath, 'utf8'));
    const configPath = join(dir(), 'publish-crash.config.json');
    await writeFile(configPath, JSON.stringify({ ...config, publishClaimTtlSeconds: 5, concurrency: 2 }));

    sandbox().resetRequestCounts();
    child = spawn(
      process.execPath,
      [
        join(ROOT, 'agent', 'bin', 'frontendops.js'),
        '--config',
        configPath,
        'publish',
        crashDir,
        '--commit',
        commit,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FRONTENDOPS_REQUESTER: 'crashing-publisher' },
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child!.on('exit', (_c, signal) => resolve(signal)),
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const deadline = Date.now() + 120_000;
    while ((sandbox().requestCounts().PutObject ?? 0) < 40) {
      if (child.exitCode !== null) throw new Error(`the publish ended before it was killed: ${stderr}`);
      if (Date.now() > deadline) throw new Error('the publish never started uploading');
      await sleep(10);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const claimKey = `builds/${commit}/publish.json`;
    const left = PublishClaimSchema.parse(
      JSON.parse(
        await (
          await engine.s3.send(new GetObjectCommand({ Bucket: artifacts(), Key: claimKey }))
        ).Body!.transformToString(),
      ),
    );
    expect(left).toMatchObject({ released: false, ttlSeconds: 5 });
    expect(left.owner).toContain('crashing-publisher');
    const hostingBefore = (await snapshot())[sandbox().info.hostingBucket];

    const waited: string[] = [];
    const report = await publishBuild(
      { s3: engine.s3, onWait: (h) => waited.push(h.owner) },
      {
        dir: redoDir,
        commit,
        sync: engine.sync,
        stackBuckets: sandbox().info,
        cacheRules: [],
        concurrency: 16,
        pollMs: 250,
      },
    );
    expect(report.status).toBe('published');
    expect(waited).toHaveLength(1);
    expect(waited[0]).toContain('crashing-publisher');
    await expectStoredBuild(commit, redo);
    expect((await snapshot())[sandbox().info.hostingBucket]).toEqual(hostingBefore);
  });
});
