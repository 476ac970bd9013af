import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployLockSchema } from '../../../agent/src/deploy/schemas.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { commitInScratchRepo, type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * A deploy killed mid-copy (SIGKILL: no cleanup, the lock stays) blocks the next deploy until its lock
 * expires, leaves the live site intact (index.html is copied last, so it never went live), and is
 * followed by a deploy that takes the expired lock over and completes.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { sandbox, dir } = sandboxPerFile({ latencyMs: 40 });
let engine: EngineOnSandbox;
let child: ChildProcess | undefined;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await engine?.close();
});

async function readLock() {
  const r = await engine.s3.send(
    new GetObjectCommand({ Bucket: engine.sync.source.bucket, Key: 'locks/dashboard-hosting-prod.json' }),
  );
  return DeployLockSchema.parse(JSON.parse(await r.Body!.transformToString()));
}

async function edgeHome(): Promise<string> {
  return (await fetch(`${sandbox().info.edgeUrl}/`)).text();
}

describe('a deploy killed mid-copy', () => {
  it('blocks others until its lock expires, then the next deploy completes', async () => {
    const v1 = await engine.publishVersion(1, { commit: await commitInScratchRepo(sandbox(), 'v1') });
    expect((await engine.deploy(v1.commit)).status).toBe('deployed');
    const v2 = await engine.publishVersion(2, {
      files: 400,
      commit: await commitInScratchRepo(sandbox(), 'v2'),
    });

    const config = JSON.parse(await readFile(sandbox().info.configPath, 'utf8'));
    const configPath = join(dir(), 'crash.config.json');
    await writeFile(configPath, JSON.stringify({ ...config, lockTtlSeconds: 5, concurrency: 4 }));

    sandbox().resetRequestCounts();
    child = spawn(
      process.execPath,
      [
        join(ROOT, 'agent', 'bin', 'frontendops.js'),
        '--config',
        configPath,
        'deploy',
        '--commit',
        v2.commit,
        '--yes',
        '--json',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FRONTENDOPS_REQUESTER: 'crashing-deployer' },
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child!.on('exit', (_code, signal) => resolve(signal)),
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const deadline = Date.now() + 60_000;
    while ((sandbox().requestCounts().CopyObject ?? 0) < 20) {
      if (child.exitCode !== null) throw new Error(`the deploy ended before it was killed: ${stderr}`);
      if (Date.now() > deadline) throw new Error('the deploy never started copying');
      await sleep(10);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The lock outlives the process; the site still serves v1 in full.
    const lock = await readLock();
    expect(lock.owner).toContain('crashing-deployer');
    expect(lock.owner).toContain(`pid ${child.pid}`);
    expect(await edgeHome()).toBe(v1.files.find((f) => f.path === 'index.html')!.content.toString());

    const blocked = await engine.deploy(v2.commit).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(blocked).toBeInstanceOf(FrontendOpsError);
    expect((blocked as FrontendOpsError).code).toBe('DEPLOY_IN_PROGRESS');

    // Wait out the 5 s TTL (the killed process no longer renews it), then deploy again. Expiry is
    // judged by S3's clock in whole seconds (Last-Modified and Date), with a second of slack.
    const waitMs = Date.parse(lock.expiresAt) - Date.now() + 2_500;
    if (waitMs > 0) await sleep(waitMs);
    const report = await engine.deploy(v2.commit, {}, { attemptTimeoutMs: 10_000 });
    expect(report.status).toBe('deployed');
    // files the killed deploy already copied are confirmed by content, not copied blindly again
    expect(report.copied).toBeLessThan(v2.files.length);
    const limit = pLimit(16);
    await Promise.all(
      v2.files.map((file) =>
        limit(async () => {
          const object = await engine.getHosting(file.path);
          expect(object.body.equals(file.content), file.path).toBe(true);
          expect(object.metadata?.sha256).toBe(createHash('sha256').update(file.content).digest('hex'));
        }),
      ),
    );
    expect(JSON.parse(await (await fetch(`${sandbox().info.edgeUrl}/version.json`)).text()).commit).toBe(
      v2.commit,
    );
  });
});
