import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { type BucketSnapshot, lostOrChanged, snapshotBuckets } from '../../support/bucket-snapshot.js';
import { generateSite, writeSite } from '../../support/builds.js';
import { commitInScratchRepo, type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { plantStackOutputs, restoreStackOutputs, sandboxCli } from '../../support/hostile-stack.js';
import { rejectionOf } from '../../support/rejection.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * Issue 10 §1 on the sandbox: a deploy only ever touches the stack's own buckets. Hostile stack
 * outputs are planted in the Pulumi state (what a tampered `pulumi up` would leave); the real CLI and
 * the engine must refuse them before the first S3 request, and every bucket keeps every object.
 */
const { sandbox } = sandboxPerFile();
const VICTIM = 'someone-elses-bucket';
let engine: EngineOnSandbox;
let scratch: string;
let live: { commit: string };
let next: { commit: string };

const buckets = () => [sandbox().info.artifactsBucket, sandbox().info.hostingBucket, VICTIM];
const snapshot = (): Promise<BucketSnapshot> => snapshotBuckets(engine.s3, buckets());
const syncText = (from: string, to: string) =>
  `aws s3 sync s3://${from}/builds/{commit}/site/ s3://${to}/ --delete`;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-targets-'));
  await engine.s3.send(new CreateBucketCommand({ Bucket: VICTIM }));
  for (let i = 0; i < 25; i += 1) {
    await engine.s3.send(
      new PutObjectCommand({ Bucket: VICTIM, Key: `data/record-${i}.csv`, Body: `row ${i}` }),
    );
  }
  live = await engine.publishVersion(1, { commit: await commitInScratchRepo(sandbox(), 'live') });
  expect((await engine.deploy(live.commit)).status).toBe('deployed');
  next = await engine.publishVersion(2, { commit: await commitInScratchRepo(sandbox(), 'next') });
});
afterEach(async () => {
  await restoreStackOutputs(sandbox());
});
afterAll(async () => {
  await engine?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a syncCommand aimed at another bucket', () => {
  it('is refused by `frontendops deploy` before any S3 request, naming both buckets; no bucket changes', async () => {
    await plantStackOutputs(sandbox(), { syncCommand: syncText(sandbox().info.artifactsBucket, VICTIM) });
    const before = await snapshot();
    sandbox().resetRequestCounts();
    const run = await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', next.commit, '--yes']);
    expect(run.code, run.err).toBe(3);
    const json = JSON.parse(run.out);
    expect(json).toMatchObject({ status: 'refused', code: 'SYNC_COMMAND_MISMATCH' });
    expect(json.message).toContain(VICTIM);
    expect(json.message).toContain(sandbox().info.hostingBucket);
    expect(sandbox().requestCounts()).toEqual({});
    expect(await snapshot()).toEqual(before);
  });

  it('is refused by the engine itself when a caller hands it the foreign sync (defence in depth)', async () => {
    const before = await snapshot();
    sandbox().resetRequestCounts();
    const hostile = parseSyncCommand(syncText(sandbox().info.artifactsBucket, VICTIM));
    const error = await rejectionOf(engine.deploy(next.commit, { sync: hostile }));
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(sandbox().requestCounts()).toEqual({});
    expect(await snapshot()).toEqual(before);
  });

  it('is refused by `frontendops publish` aimed at a foreign artifacts bucket', async () => {
    await plantStackOutputs(sandbox(), { syncCommand: syncText(VICTIM, sandbox().info.hostingBucket) });
    const dir = join(scratch, 'foreign-publish');
    await writeSite(dir, generateSite({ files: 20, version: 3, commit: 'c'.repeat(40) }));
    const before = await snapshot();
    sandbox().resetRequestCounts();
    const run = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', 'c'.repeat(40)]);
    expect(run.code, run.err).toBe(3);
    const json = JSON.parse(run.out);
    expect(json.code ?? run.err).toMatch(/SYNC_COMMAND_MISMATCH/);
    expect(json.message).toContain(VICTIM);
    expect(json.message).toContain(sandbox().info.artifactsBucket);
    expect(sandbox().requestCounts()).toEqual({});
    expect(await snapshot()).toEqual(before);
  });

  it('is refused by `frontendops publish` when the outputs swap source and destination', async () => {
    // Read through the pulumi MCP server, like deploy: publish must not write into the hosting bucket.
    const { artifactsBucket, hostingBucket } = sandbox().info;
    await plantStackOutputs(sandbox(), { syncCommand: syncText(hostingBucket, artifactsBucket) });
    const dir = join(scratch, 'swapped-publish');
    await writeSite(dir, generateSite({ files: 20, version: 6, commit: 'e'.repeat(40) }));
    const before = await snapshot();
    sandbox().resetRequestCounts();
    const run = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', 'e'.repeat(40)]);
    expect(run.code, run.err).toBe(3);
    expect(JSON.parse(run.out)).toMatchObject({ code: 'SYNC_COMMAND_MISMATCH' });
    expect(JSON.parse(run.out).message).toContain('swapped');
    expect(sandbox().requestCounts()).toEqual({});
    expect(await snapshot()).toEqual(before);
  });

  it('is refused when the stack exports no bucket outputs to check it against', async () => {
    await plantStackOutputs(sandbox(), { artifactsBucket: undefined, hostingBucket: undefined });
    const before = await snapshot();
    sandbox().resetRequestCounts();
    const run = await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', next.commit, '--yes']);
    expect(run.code).not.toBe(0);
    expect(JSON.parse(run.out).code).toMatch(/SYNC_COMMAND_MISMATCH|STACK_OUTPUT_INVALID/);
    const dir = join(scratch, 'unchecked-publish');
    await writeSite(dir, generateSite({ files: 20, version: 7, commit: 'f'.repeat(40) }));
    const published = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', 'f'.repeat(40)]);
    expect(published.code).not.toBe(0);
    expect(JSON.parse(published.out).code).toMatch(/SYNC_COMMAND_MISMATCH|STACK_OUTPUT_INVALID/);
    expect(sandbox().requestCounts()).toEqual({});
    expect(await snapshot()).toEqual(before);
  });
});

describe('source and destination swapped after builds were planted in the hosting bucket', () => {
  async function plantBuildInHosting(commit: string): Promise<void> {
    const { artifactsBucket, hostingBucket } = sandbox().info;
    for (const key of Object.keys(
      (await snapshotBuckets(engine.s3, [artifactsBucket]))[artifactsBucket] ?? {},
    )) {
      if (!key.startsWith(`builds/${commit}/`)) continue;
      await engine.s3.send(
        new CopyObjectCommand({ Bucket: hostingBucket, Key: key, CopySource: `${artifactsBucket}/${key}` }),
      );
    }
  }

  it('is refused by the CLI before any request; every build, record and history entry stays', async () => {
    await plantBuildInHosting(next.commit);
    const { artifactsBucket, hostingBucket } = sandbox().info;
    await plantStackOutputs(sandbox(), { syncCommand: syncText(hostingBucket, artifactsBucket) });
    const before = await snapshot();
    expect(Object.keys(before[artifactsBucket] ?? {}).some((k) => k.startsWith('releases/'))).toBe(true);
    sandbox().resetRequestCounts();
    const run = await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', next.commit, '--yes']);
    expect(run.code, run.err).toBe(3);
    expect(JSON.parse(run.out)).toMatchObject({ code: 'SYNC_COMMAND_MISMATCH' });
    expect(JSON.parse(run.out).message).toContain('swapped');
    expect(sandbox().requestCounts()).toEqual({});
    expect(await snapshot()).toEqual(before);
  });

  it('even a caller that lies about the buckets cannot delete or overwrite a reserved key', async () => {
    // The last line of defence: the planner ignores reserved keys, copies and deletes refuse them.
    await plantBuildInHosting(next.commit);
    const { artifactsBucket, hostingBucket } = sandbox().info;
    const swapped = parseSyncCommand(syncText(hostingBucket, artifactsBucket));
    const lie = {
      sync: swapped,
      stackBuckets: { artifactsBucket: hostingBucket, hostingBucket: artifactsBucket },
      url: undefined,
    };
    const before = await snapshot();
    // Builds, release records and locks in the (now) destination are not site files: not even unknown.
    const planned = await engine.deploy(next.commit, { ...lie, dryRun: true });
    expect(planned.plan.unknown.count).toBe(0);
    expect(planned.plan.deleteLater).toBe(0);
    await engine.deploy(next.commit, lie).catch(() => undefined);
    const after = await snapshot();
    const lost = lostOrChanged(before[artifactsBucket] ?? {}, after[artifactsBucket] ?? {});
    expect(lost.filter((k) => /^(builds|releases|locks|jobs)\//.test(k))).toEqual([]);
    expect(lostOrChanged(before[VICTIM] ?? {}, after[VICTIM] ?? {})).toEqual([]);
  });
});

describe('reserved paths in a build', () => {
  it('publish refuses a folder with files under a reserved prefix, uploading nothing', async () => {
    for (const reserved of [
      'releases/dashboard-hosting-prod/current.json',
      'deployments.json',
      'locks/x.json',
    ]) {
      const dir = join(scratch, `reserved-${reserved.replaceAll('/', '-')}`);
      const files = generateSite({ files: 20, version: 4, commit: 'd'.repeat(40) });
      await writeSite(dir, [...files, { path: reserved, content: Buffer.from('{"hijack":true}') }]);
      const before = await snapshot();
      sandbox().resetRequestCounts();
      const run = await sandboxCli(sandbox(), ['--json', 'publish', dir, '--commit', 'd'.repeat(40)]);
      expect(run.code, reserved).toBe(3);
      expect(JSON.parse(run.out).code).toBe('RESERVED_PATH');
      expect(JSON.parse(run.out).message).toContain(reserved);
      expect(sandbox().requestCounts()).toEqual({});
      expect(await snapshot()).toEqual(before);
    }
  });

  it('deploy refuses a build.json naming a reserved path (written by hand), changing nothing', async () => {
    const { artifactsBucket } = sandbox().info;
    const commit = await commitInScratchRepo(sandbox(), 'reserved-manifest');
    await engine.publishVersion(5, { commit });
    const target = 'locks/dashboard-hosting-prod.json';
    const body = '{"schema":1,"stolen":true}';
    const put = await engine.s3.send(
      new PutObjectCommand({ Bucket: artifactsBucket, Key: `builds/${commit}/site/${target}`, Body: body }),
    );
    const key = `builds/${commit}/build.json`;
    const stored = await engine.s3.send(new GetObjectCommand({ Bucket: artifactsBucket, Key: key }));
    const manifest = JSON.parse(await stored.Body!.transformToString()) as { files: unknown[] };
    manifest.files.push({
      path: target,
      size: Buffer.byteLength(body),
      sha256: 'a'.repeat(64),
      contentType: 'application/json',
      cacheControl: 'no-store',
      etag: put.ETag,
    });
    await engine.s3.send(
      new PutObjectCommand({ Bucket: artifactsBucket, Key: key, Body: JSON.stringify(manifest) }),
    );
    const before = await snapshot();
    for (const dryRun of [true, false]) {
      const error = await rejectionOf(engine.deploy(commit, { dryRun }));
      expect(error.code).toBe('RESERVED_PATH');
      expect(error.message).toContain(target);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a --delete deploy keeps the engine-owned deployments.json at the hosting root', async () => {
    const { hostingBucket } = sandbox().info;
    await engine.s3.send(
      new PutObjectCommand({
        Bucket: hostingBucket,
        Key: 'deployments.json',
        Body: '{"schema":1,"releases":[]}',
      }),
    );
    const before = await snapshot();
    const report = await engine.deploy(next.commit);
    expect(report.status).toBe('deployed');
    expect(report.plan.unknown.objects.map((o) => o.path)).not.toContain('deployments.json');
    const after = await snapshot();
    // Never deleted as an unknown file (the engine itself may rewrite it with the release history).
    expect(after[hostingBucket]?.['deployments.json']).toBeDefined();
    expect(lostOrChanged(before[VICTIM] ?? {}, after[VICTIM] ?? {})).toEqual([]);
  });
});
