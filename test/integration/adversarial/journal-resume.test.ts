import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditLog } from '../../../agent/src/audit/log.js';
import { SANDBOX_CREDENTIALS } from '../../../agent/src/aws/clients.js';
import { createCloudFrontInvalidator } from '../../../agent/src/cdn/cloudfront-invalidator.js';
import { runCli } from '../../../agent/src/cli/main.js';
import { listKeysAndEtags } from '../../support/bucket-snapshot.js';
import { captureCli } from '../../support/cli-context.js';
import { commitInScratchRepo, type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * Failures after going live, and their resumption by the next run (issue 10 §3), through the real CLI
 * with both MCP servers as child processes: the release is reported `incomplete` (exit 4) with its
 * missing steps and the command that finishes it; `status` shows it; the retry or `status --finish`
 * completes it and never says "noop" while steps are missing. Then the lock's side of `status` and
 * `unlock` (issue 10 §4). Regression: a failed invalidation or tag once exited 2 ("nothing was
 * changed") and the retry answered noop, while the edge kept serving the old version.json.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CHILD = join(ROOT, 'test', 'support', 'deploy-child.mjs');
const { sandbox, dir } = sandboxPerFile({ latencyMs: 2, invalidationDelayMs: 2_500 });
let engine: EngineOnSandbox;
let scratch: string;
let slowConfig: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-resume-'));
  // the same stack, with an invalidation wait shorter than the CDN takes
  const config = JSON.parse(await readFile(sandbox().info.configPath, 'utf8'));
  slowConfig = join(scratch, 'impatient.config.json');
  await writeFile(
    slowConfig,
    JSON.stringify({ ...config, invalidation: { collapseAbove: 25, maxWaitSeconds: 1 }, lockTtlSeconds: 5 }),
  );
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await engine?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function cli(args: string[], config = sandbox().info.configPath) {
  const captured = captureCli({ env: { USER: 'release-manager' }, cwd: scratch, now: () => new Date() });
  const code = await runCli(['--config', config, ...args], captured.ctx);
  return { code, out: captured.out(), err: captured.err() };
}

const listing = async (bucket: string): Promise<string[]> =>
  Object.entries(await listKeysAndEtags(engine.s3, bucket))
    .map(([key, etag]) => `${key} ${etag}`)
    .sort();

const hosting = () => listing(engine.sync.destination.bucket);
const artifacts = () => listing(engine.sync.source.bucket);
const lost = (before: string[], after: string[]) => before.filter((k) => !after.includes(k));
/** Nothing deleted from the artifacts bucket, and every build byte for byte as it was. */
const artifactsLost = (before: string[], after: string[]) => {
  const keys = new Set(after.map((k) => k.split(' ')[0]));
  return before.filter((k) => !keys.has(k.split(' ')[0]) || (k.startsWith('builds/') && !after.includes(k)));
};

async function edgeCommit(): Promise<string> {
  return JSON.parse(await (await fetch(`${sandbox().info.edgeUrl}/version.json`)).text()).commit;
}

async function builtCommit(label: string, version: number): Promise<string> {
  const commit = await commitInScratchRepo(sandbox(), label);
  await engine.publishVersion(version, { commit, files: 30 });
  return commit;
}

describe('a release that fails after going live', () => {
  it('starts from a complete release deployed through the CLI', async () => {
    const commit = await builtCommit('resume-1', 1);
    const deployed = await cli(['deploy', '--commit', commit, '--yes', '--json']);
    expect(deployed.code, deployed.err).toBe(0);
    expect(JSON.parse(deployed.out)).toMatchObject({ status: 'deployed', commit });
  });

  it('regression: an invalidation that does not complete is incomplete (exit 4), shown by status, finished by the retry — never noop', async () => {
    const commit = await builtCommit('resume-2', 2);
    const artifactsBefore = await artifacts();
    const failed = await cli(['deploy', '--commit', commit, '--yes', '--json'], slowConfig);
    expect(failed.code, failed.err).toBe(4);
    const json = JSON.parse(failed.out);
    expect(json).toMatchObject({
      status: 'incomplete',
      code: 'RELEASE_INCOMPLETE',
      cause: { code: 'INVALIDATION_TIMEOUT' },
      done: ['copied'],
      missing: ['invalidated', 'verified', 'tagged', 'pruned', 'published'],
      finishCommand: 'frontendops status --finish --stack dashboard-hosting-prod',
    });
    // the files are live in the bucket; nothing of the artifacts bucket was lost
    expect(artifactsLost(artifactsBefore, await artifacts())).toEqual([]);

    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(
      /unfinished: release \S+ \(\w{7}\) is missing invalidated, verified, tagged, pruned, published/,
    );
    expect(status.out).toContain(
      'finish it with: frontendops status --finish --stack dashboard-hosting-prod',
    );
    const statusJson = JSON.parse((await cli(['status', '--json'])).out);
    expect(statusJson.unfinished).toMatchObject({
      commit,
      missing: json.missing,
      failure: { step: 'invalidated' },
    });

    const hostingBefore = await hosting();
    const retried = await cli(['deploy', '--commit', commit, '--yes', '--json']);
    expect(retried.code, retried.err).toBe(0);
    const retriedJson = JSON.parse(retried.out);
    expect(retriedJson).toMatchObject({ status: 'deployed', previous: { action: 'finish' } });
    expect(retriedJson.tag).toMatch(/^dashboard-deploy-\d{8}-\d+$/);
    expect(await edgeCommit()).toBe(commit);
    // finishing copied nothing again and lost nothing of the previous release's kept files
    expect(retriedJson.requests.CopyObject ?? 0).toBe(0);
    const hostingAfter = await hosting();
    expect(lost(hostingBefore, hostingAfter).filter((k) => !k.startsWith('deployments.json'))).toEqual([]);

    const again = await cli(['deploy', '--commit', commit, '--yes', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ status: 'noop' });
  });

  it('regression: a tag that fails is incomplete (exit 4); status --finish tags the same release once github works again', async () => {
    const commit = await builtCommit('resume-3', 3);
    const tagsDir = join(sandbox().info.repoPath, '.git', 'refs', 'tags');
    // git cannot create a tag while refs/tags is a file (the repository's tag store is broken)
    await rename(tagsDir, `${tagsDir}.saved`);
    await writeFile(tagsDir, 'not a directory\n');
    let failed: Awaited<ReturnType<typeof cli>>;
    try {
      failed = await cli(['deploy', '--commit', commit, '--yes', '--json']);
    } finally {
      await rm(tagsDir, { force: true });
      await rename(`${tagsDir}.saved`, tagsDir);
    }
    expect(failed.code, failed.err).toBe(4);
    expect(JSON.parse(failed.out)).toMatchObject({
      status: 'incomplete',
      missing: ['tagged', 'pruned', 'published'],
      tag: null,
    });
    expect(await edgeCommit()).toBe(commit);

    const finished = await cli(['status', '--finish', '--yes', '--json']);
    expect(finished.code, finished.err).toBe(0);
    expect(JSON.parse(finished.out)).toMatchObject({
      status: 'deployed',
      commit,
      previous: { action: 'finish' },
    });
    expect(JSON.parse(finished.out).tag).toMatch(/^dashboard-deploy-\d{8}-\d+$/);
    const nothing = await cli(['status', '--finish', '--yes']);
    expect(nothing.code).toBe(0);
    expect(nothing.out).toContain('Nothing to do — no unfinished release on dashboard-hosting-prod');
  });

  it('the CDN API down after the files went live: incomplete with the missing steps; the next deploy finishes it', async () => {
    const commit = await builtCommit('resume-4', 4);
    const artifactsBefore = await artifacts();
    const down = createCloudFrontInvalidator({
      // nothing listens there: the API is unreachable
      client: new CloudFrontClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { ...SANDBOX_CREDENTIALS },
        maxAttempts: 1,
      }),
      distributionId: sandbox().info.distributionId,
    });
    const failed = await engine.deploy(commit, {}, { invalidator: down });
    expect(failed).toMatchObject({
      status: 'incomplete',
      // the CloudFront endpoint refuses connections: named as unreachable
      error: { code: 'ENDPOINT_UNREACHABLE' },
      missing: ['invalidated', 'verified', 'tagged', 'pruned', 'published'],
    });
    expect(artifactsLost(artifactsBefore, await artifacts())).toEqual([]);
    const finished = await engine.deploy(commit);
    expect(finished).toMatchObject({ status: 'deployed', previous: { action: 'finish' } });
    expect(await edgeCommit()).toBe(commit);
  });
});

describe('status and unlock with a held lock', () => {
  it('status shows the holder; unlock refuses a fresh lock, releases it with --force --yes, and is audited', async () => {
    const commit = await builtCommit('lock-1', 5);
    child = spawn(
      process.execPath,
      [
        CHILD,
        JSON.stringify({
          config: sandbox().info.configPath,
          commit,
          pauseAt: 'journaled',
          lockTtlSeconds: 600,
        }),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const proc = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (c) => {
        out += String(c);
        if (out.includes('PAUSED journaled')) resolve();
      });
      proc.on('exit', () => reject(new Error(`the child ended early: ${out}`)));
    });

    const status = JSON.parse((await cli(['status', '--json'])).out);
    expect(status.lock).toMatchObject({
      owner: expect.stringContaining('crashing-deployer'),
      commit,
      expired: false,
    });
    expect(status.lock.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(status.lock.expiresInSeconds).toBeGreaterThan(500);
    expect(status.unfinished).toMatchObject({ commit, missing: expect.arrayContaining(['copied']) });
    expect((await cli(['status'])).out).toMatch(
      /lock: {3}held by crashing-deployer .* expires in \d+ s \(by S3's clock\)/,
    );

    const refused = await cli(['unlock', '--stack', 'dashboard-hosting-prod']);
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('Refused [REFUSED]');
    expect(refused.err).toContain('crashing-deployer');
    expect(JSON.parse((await cli(['status', '--json'])).out).lock).not.toBeNull();

    const forced = await cli(['unlock', '--stack', 'dashboard-hosting-prod', '--force', '--yes', '--json']);
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse(forced.out)).toMatchObject({ status: 'unlocked', forced: true, holder: { commit } });
    expect(JSON.parse((await cli(['status', '--json'])).out).lock).toBeNull();
    proc.kill('SIGKILL');

    const audit = parseAuditLog(await readFile(join(dir(), 'audit.jsonl'), 'utf8'));
    const unlocks = audit.filter((e) => e.kind === 'tool_call' && e.tool === 'release_lock');
    expect(unlocks).toEqual([
      expect.objectContaining({ outcome: 'ok', args: expect.objectContaining({ forced: true }) }),
    ]);
    expect(
      audit.filter((e) => e.kind === 'result').map((e) => (e.kind === 'result' ? e.status : '')),
    ).toEqual(expect.arrayContaining(['refused', 'unlocked']));

    // the killed deploy's release is unfinished: the next deploy of that commit finishes it
    const finished = await cli(['deploy', '--commit', commit, '--yes', '--json']);
    expect(finished.code, finished.err).toBe(0);
    expect(JSON.parse(finished.out)).toMatchObject({ status: 'deployed', previous: { action: 'finish' } });
  });

  it('unlock releases a stale lock (expired by S3’s clock) without --force', async () => {
    const commit = await builtCommit('lock-2', 6);
    child = spawn(
      process.execPath,
      [
        CHILD,
        JSON.stringify({
          config: sandbox().info.configPath,
          commit,
          pauseAt: 'journaled',
          lockTtlSeconds: 5,
        }),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const proc = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (c) => {
        out += String(c);
        if (out.includes('PAUSED journaled')) resolve();
      });
      proc.on('exit', () => reject(new Error(`the child ended early: ${out}`)));
    });
    proc.kill('SIGKILL');
    await sleep(7_500);
    expect(JSON.parse((await cli(['status', '--json'])).out).lock).toMatchObject({ expired: true });
    const released = await cli(['unlock', '--json']);
    expect(released.code, released.err).toBe(0);
    expect(JSON.parse(released.out)).toMatchObject({ status: 'unlocked', forced: false });
    const nothing = await cli(['unlock']);
    expect(nothing.code).toBe(0);
    expect(nothing.out).toContain('Nothing to do — dashboard-hosting-prod is not locked.');
  });
});
