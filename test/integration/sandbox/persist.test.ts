import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../agent/src/sandbox/index.js';
import { checkpointFilePath, outputsFromCheckpoint } from '../../../agent/src/stack/checkpoint.js';
import { parseStackOutputs } from '../../../agent/src/stack/outputs.js';
import { createTempGitRepo, type TempGitRepo } from '../../support/git-repo.js';
import { sandboxS3Client } from '../../support/sandbox.js';

const execFileAsync = promisify(execFile);
const git = async (cwd: string, args: string[]) => (await execFileAsync('git', args, { cwd })).stdout.trim();

const dirs: string[] = [];
const repos: TempGitRepo[] = [];
const running: Sandbox[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frontendops-sandbox-persist-'));
  dirs.push(dir);
  return dir;
}
async function sourceRepo(): Promise<TempGitRepo> {
  const repo = await createTempGitRepo();
  repos.push(repo);
  await repo.commit('dashboard: first', { 'sophia-dashboard/index.html': '<h1>one</h1>' });
  return repo;
}
async function start(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  running.push(sandbox);
  return sandbox;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await Promise.all(repos.map((r) => r.remove()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function readObject(sandbox: Sandbox, bucket: string, key: string): Promise<string> {
  const s3 = sandboxS3Client(sandbox);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString()) ?? '';
  } finally {
    s3.destroy();
  }
}

async function putObject(sandbox: Sandbox, bucket: string, key: string, body: string, contentType: string) {
  const s3 = sandboxS3Client(sandbox);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        Metadata: { sha256: 'abc' },
      }),
    );
  } finally {
    s3.destroy();
  }
}

describe('startSandbox({ persist: true })', () => {
  it('keeps objects, bucket names and the distribution across a restart; the state points at the new edge', async () => {
    const dir = await tempDir();
    const first = await start({ dir, persist: true });
    const { artifactsBucket, hostingBucket, distributionId } = first.info;
    await putObject(first, artifactsBucket, 'builds/abc/build.json', '{"schema":1}', 'application/json');
    await putObject(first, hostingBucket, 'index.html', '<h1>live</h1>', 'text/html');
    await first.stop();

    const second = await start({ dir, persist: true });
    expect(second.info).toMatchObject({ artifactsBucket, hostingBucket, distributionId });
    expect(await readObject(second, artifactsBucket, 'builds/abc/build.json')).toBe('{"schema":1}');
    const s3 = sandboxS3Client(second);
    try {
      const head = await s3.send(new GetObjectCommand({ Bucket: hostingBucket, Key: 'index.html' }));
      expect(head.ContentType).toBe('text/html');
      expect(head.Metadata).toEqual({ sha256: 'abc' });
    } finally {
      s3.destroy();
    }
    // The edge of the new start serves what the hosting bucket held before.
    const page = await fetch(`${second.info.edgeUrl}/`);
    expect(await page.text()).toBe('<h1>live</h1>');

    const checkpoint = await readFile(
      checkpointFilePath(join(dir, 'pulumi-state'), 'dashboard-hosting-prod', 'dashboard-hosting-prod'),
      'utf8',
    );
    const outputs = parseStackOutputs(outputsFromCheckpoint(checkpoint), 'dashboard-hosting-prod');
    expect(outputs).toMatchObject({
      artifactsBucket,
      hostingBucket,
      distributionId,
      url: second.info.edgeUrl,
    });
  });

  it("fetches repoSource's new commits into the kept scratch repo, keeping its own tags and leaving the source's out", async () => {
    const source = await sourceRepo();
    const dir = await tempDir();
    const first = await start({ dir, persist: true, repoSource: source.path });
    const firstSha = await source.head();
    await git(first.info.repoPath, [
      'tag',
      '-a',
      'dashboard-deploy-20261123-1',
      '-m',
      'deploy one',
      firstSha,
    ]);
    await first.stop();

    const secondSha = await source.commit('dashboard: second', {
      'sophia-dashboard/index.html': '<h1>two</h1>',
    });
    await source.tag('v-from-source', { message: 'a tag of the source' });
    const second = await start({ dir, persist: true, repoSource: source.path });
    const repo = second.info.repoPath;
    expect(await git(repo, ['rev-parse', 'HEAD'])).toBe(secondSha);
    // The working tree follows the new tip (a reset, not only a moved ref).
    expect(await readFile(join(repo, 'sophia-dashboard', 'index.html'), 'utf8')).toBe('<h1>two</h1>');
    expect(await git(repo, ['status', '--porcelain'])).toBe('');
    expect(await git(repo, ['tag', '--list'])).toBe('dashboard-deploy-20261123-1');
    expect(await git(repo, ['rev-list', '-n', '1', 'dashboard-deploy-20261123-1'])).toBe(firstSha);
    expect(await git(repo, ['remote'])).toBe('');
  });

  it('recreates a scratch repo that an interrupted start left without .git', async () => {
    const source = await sourceRepo();
    const dir = await tempDir();
    const first = await start({ dir, persist: true, repoSource: source.path });
    await first.stop();
    await rm(join(dir, 'repo', '.git'), { recursive: true, force: true });
    const second = await start({ dir, persist: true, repoSource: source.path });
    expect(await git(second.info.repoPath, ['rev-parse', 'HEAD'])).toBe(await source.head());
  });

  it('comes back on the ports of its last start, so its URLs and its config stay valid', async () => {
    const dir = await tempDir();
    const first = await start({ dir, persist: true });
    const config = await readFile(first.info.configPath, 'utf8');
    await first.stop();

    const second = await start({ dir, persist: true });
    expect(second.notices).toEqual([]);
    expect(second.info).toMatchObject({
      s3Endpoint: first.info.s3Endpoint,
      edgeUrl: first.info.edgeUrl,
      cloudfrontEndpoint: first.info.cloudfrontEndpoint,
    });
    expect(await readFile(second.info.configPath, 'utf8')).toBe(config);
    expect(JSON.parse(await readFile(join(dir, 'sandbox.json'), 'utf8'))).toEqual({
      schema: 1,
      persist: true,
      demo: false,
      ports: {
        s3: Number(new URL(first.info.s3Endpoint).port),
        edge: Number(new URL(first.info.edgeUrl).port),
        cloudfront: Number(new URL(first.info.cloudfrontEndpoint).port),
      },
    });
  });

  it('falls back to a free port, saying so in one line, when its kept port is taken', async () => {
    const dir = await tempDir();
    const first = await start({ dir, persist: true });
    const edgePort = Number(new URL(first.info.edgeUrl).port);
    await first.stop();
    const squatter = createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => squatter.listen(edgePort, '127.0.0.1', resolve));
    try {
      const second = await start({ dir, persist: true });
      expect(second.info.edgeUrl).not.toBe(first.info.edgeUrl);
      expect(second.info.s3Endpoint).toBe(first.info.s3Endpoint);
      const newPort = new URL(second.info.edgeUrl).port;
      expect(second.notices).toEqual([
        `Port ${edgePort} (the site (edge), kept from the last run) is taken by another program; the site (edge) listens on ${newPort} this time.`,
      ]);
      expect((await fetch(`${second.info.edgeUrl}/index.html`)).status).toBe(404);
      await second.stop();
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    // The next start after the port is free again keeps the port of the start before: the latest one.
    const third = await start({ dir, persist: true });
    expect(third.notices).toEqual([]);
    expect(Number(new URL(third.info.edgeUrl).port)).not.toBe(edgePort);
  });

  it('ignores a damaged sandbox.json and starts on free ports', async () => {
    const dir = await tempDir();
    const first = await start({ dir, persist: true });
    await first.stop();
    await writeFile(join(dir, 'sandbox.json'), '{"schema":1,"ports":{"s3":"not a port"}}');
    const second = await start({ dir, persist: true });
    expect(second.notices).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, 'sandbox.json'), 'utf8'))).toMatchObject({
      schema: 1,
      persist: true,
    });
  });

  it('a later start without persist on the same directory is a fresh world and drops the stored objects', async () => {
    const dir = await tempDir();
    const kept = await start({ dir, persist: true });
    await putObject(kept, kept.info.hostingBucket, 'index.html', '<h1>old</h1>', 'text/html');
    await kept.stop();
    expect(existsSync(join(dir, 's3'))).toBe(true);

    const fresh = await start({ dir });
    expect(fresh.info.hostingBucket).not.toBe(kept.info.hostingBucket);
    expect(fresh.info.distributionId).not.toBe(kept.info.distributionId);
    expect(existsSync(join(dir, 's3'))).toBe(false);
    await fresh.stop();

    // And persisting again after that starts from the fresh world's resources, not the dropped ones.
    const again = await start({ dir, persist: true });
    expect(again.info.hostingBucket).toBe(fresh.info.hostingBucket);
    expect((await fetch(`${again.info.edgeUrl}/index.html`)).status).toBe(404);
  });
});
