import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../agent/src/config/load.js';
import type { StdioMcpServerEntry } from '../../../agent/src/config/schema.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';
import { isProcessAlive } from '../../../agent/src/sandbox/dir-lock.js';
import { type Sandbox, startSandbox } from '../../../agent/src/sandbox/index.js';
import { checkpointFilePath, outputsFromCheckpoint } from '../../../agent/src/stack/checkpoint.js';
import { parseStackOutputs } from '../../../agent/src/stack/outputs.js';
import { createTempGitRepo } from '../../support/git-repo.js';

const execFileAsync = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(ROOT, 'agent', 'bin', 'frontendops.js');

const SANDBOX_INFO_KEYS = [
  'artifactsBucket',
  'cloudfrontEndpoint',
  'configPath',
  'distributionId',
  'edgeUrl',
  'hostingBucket',
  'pulumiBackendUrl',
  'repoPath',
  's3Endpoint',
];

const dirs: string[] = [];
const running: Sandbox[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frontendops-sandbox-life-'));
  dirs.push(dir);
  return dir;
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
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function git(cwd: string, args: string[]): Promise<string> {
  return (await execFileAsync('git', args, { cwd })).stdout.trim();
}

describe('startSandbox', () => {
  it('writes a config every command can load, a Pulumi checkpoint with the stack outputs, and a scratch repo', async () => {
    const dir = await tempDir();
    const sandbox = await start({ dir });
    const { info } = sandbox;
    expect(Object.keys(info).sort()).toEqual(SANDBOX_INFO_KEYS);

    const { config } = await loadConfig(info.configPath);
    const stack = config.stacks[0];
    expect(stack?.name).toBe('dashboard-hosting-prod');
    expect(stack?.backend).toEqual({ kind: 'state', url: info.pulumiBackendUrl });
    expect(stack?.aws).toEqual({
      region: 'us-east-1',
      s3Endpoint: info.s3Endpoint,
      cloudfrontEndpoint: info.cloudfrontEndpoint,
      forcePathStyle: true,
      sandboxCredentials: true,
    });
    expect(stack?.workDir).toBe(join(ROOT, 'stacks', 'dashboard-hosting-prod'));
    expect(config.auditLogPath).toBe(join(dir, 'audit.jsonl'));
    expect((config.mcpServers.pulumi as StdioMcpServerEntry | undefined)?.env).toMatchObject({
      PULUMI_BACKEND_URL: info.pulumiBackendUrl,
      AWS_ENDPOINT_URL_S3: info.s3Endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT: info.cloudfrontEndpoint,
      AWS_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.mcpServers.github).toMatchObject({
      args: [join(ROOT, 'agent', 'bin', 'frontendops-github-mcp.js')],
      env: { FRONTENDOPS_GITHUB_BACKEND: 'git', FRONTENDOPS_GIT_REPO: info.repoPath },
    });

    expect(info.pulumiBackendUrl).toBe(`file://${join(dir, 'pulumi-state')}`);
    expect(await readFile(join(dir, 'pulumi-state', '.pulumi', 'meta.yaml'), 'utf8')).toContain('version: 1');
    const checkpoint = await readFile(
      checkpointFilePath(join(dir, 'pulumi-state'), 'dashboard-hosting-prod', 'dashboard-hosting-prod'),
      'utf8',
    );
    const outputs = parseStackOutputs(outputsFromCheckpoint(checkpoint), 'dashboard-hosting-prod');
    expect(outputs).toMatchObject({
      artifactsBucket: info.artifactsBucket,
      hostingBucket: info.hostingBucket,
      distributionId: info.distributionId,
      url: info.edgeUrl,
      syncCommand: `aws s3 sync s3://${info.artifactsBucket}/builds/{commit}/site/ s3://${info.hostingBucket}/ --delete`,
      invalidateCommand: `aws cloudfront create-invalidation --distribution-id ${info.distributionId} --paths "/*"`,
    });
    expect(outputs.buildRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(outputs.deployerRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);

    expect(await git(info.repoPath, ['log', '--format=%s', '--', 'sophia-dashboard/'])).toBe(
      'Sandbox: initial commit',
    );
    expect(await git(info.repoPath, ['config', '--local', 'user.email'])).toBe('sandbox@frontendops.invalid');
  });

  it('clones repoSource as the scratch repo, without a remote pointing back at the source', async () => {
    const source = await createTempGitRepo();
    try {
      const sha = await source.commit('dashboard: first', { 'sophia-dashboard/index.html': '<h1/>' });
      const sandbox = await start({ dir: await tempDir(), repoSource: source.path });
      expect(await git(sandbox.info.repoPath, ['rev-parse', 'HEAD'])).toBe(sha);
      expect(await git(sandbox.info.repoPath, ['remote'])).toBe('');
      expect(sandbox.info.repoPath).not.toBe(source.path);
    } finally {
      await source.remove();
    }
  });

  it('stops its emulator child and frees the directory; a restart on the same dir gives a fresh world', async () => {
    const dir = await tempDir();
    const first = await start({ dir });
    expect(isProcessAlive(first.emulatorPid)).toBe(true);
    await first.stop();
    expect(isProcessAlive(first.emulatorPid)).toBe(false);
    expect(existsSync(join(dir, 'sandbox.pid'))).toBe(false);
    const second = await start({ dir });
    expect(second.info.hostingBucket).not.toBe(first.info.hostingBucket);
    await expect(fetch(`${first.info.edgeUrl}/`)).rejects.toThrow();
  });

  it('reports SANDBOX_FAILED through `failure` when the emulator dies, and nothing on a requested stop', async () => {
    const broken = await start({ dir: await tempDir() });
    process.kill(broken.emulatorPid, 'SIGKILL');
    const error = await broken.failure;
    expect(error).toMatchObject({ code: 'SANDBOX_FAILED' });
    expect(error.message).toContain('SIGKILL');

    const healthy = await start({ dir: await tempDir() });
    await healthy.stop();
    const settled = await Promise.race([
      healthy.failure.then(() => 'failed'),
      new Promise((resolve) => setTimeout(() => resolve('quiet'), 200)),
    ]);
    expect(settled).toBe('quiet');
  });

  it('refuses a second sandbox on the same dir with SANDBOX_BUSY', async () => {
    const dir = await tempDir();
    await start({ dir });
    const error = await startSandbox({ dir }).catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'SANDBOX_BUSY')).toBe(true);
    expect((error as Error).message).toContain(String(process.pid));
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.frontendops-sandbox'), '');
    // pid 2^22+1 is above Linux's pid_max ceiling: no process can have it.
    await writeFile(join(dir, 'sandbox.pid'), `${2 ** 22 + 1}\n`);
    const sandbox = await start({ dir });
    expect(await readFile(join(dir, 'sandbox.pid'), 'utf8')).toBe(`${process.pid}\n`);
    expect(sandbox.info.configPath).toBe(join(dir, 'frontendops.config.json'));
  });

  it('refuses a non-empty directory that is not a sandbox directory, and touches nothing in it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'precious.txt'), 'keep me');
    const error = await startSandbox({ dir }).catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'BAD_INPUT')).toBe(true);
    expect(await readFile(join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(join(dir, 'sandbox.pid'))).toBe(false);
  });

  it('reports a busy port as SANDBOX_BUSY and cleans up what it started', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dir = await tempDir();
    try {
      const error = await startSandbox({ dir, port }).catch((e: unknown) => e);
      expect(isFrontendOpsError(error, 'SANDBOX_BUSY')).toBe(true);
      expect((error as Error).message).toContain(String(port));
      expect(existsSync(join(dir, 'sandbox.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('rejects invalid options with BAD_INPUT naming the field', async () => {
    const error = await startSandbox({ dir: await tempDir(), faultRate: 2 }).catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'BAD_INPUT')).toBe(true);
    expect((error as Error).message).toContain('faultRate');
  });
});

describe('frontendops sandbox start (child process)', () => {
  it('prints exactly one SandboxInfo JSON line once ready, serves, and leaves no process behind after SIGTERM', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, [CLI, '--json', 'sandbox', 'start', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout });
    const stdout: string[] = [];
    const firstLine = new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => {
        stdout.push(line);
        if (stdout.length === 1) resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`sandbox start exited with ${code} before printing`)));
    });
    const info = JSON.parse(await firstLine) as Record<string, string>;
    expect(Object.keys(info).sort()).toEqual(SANDBOX_INFO_KEYS);
    expect(info.configPath).toBe(join(dir, 'frontendops.config.json'));
    expect(existsSync(info.configPath ?? '')).toBe(true);

    const { stdout: children } = await execFileAsync('pgrep', ['-P', String(child.pid)]);
    const emulatorPids = children.split('\n').filter(Boolean).map(Number);
    expect(emulatorPids).toHaveLength(1);
    const emulatorPid = emulatorPids[0] ?? 0;
    expect(isProcessAlive(emulatorPid)).toBe(true);
    const edge = await fetch(`${info.edgeUrl}/missing.js`);
    expect(edge.status).toBe(404);

    // A second start on the same dir is refused, with the code scripts match on and exit code 3.
    const second = await execFileAsync(process.execPath, [
      CLI,
      '--json',
      'sandbox',
      'start',
      '--dir',
      dir,
    ]).catch((error: { code: number; stdout: string }) => error);
    expect((second as { code: number }).code).toBe(3);
    expect(JSON.parse((second as { stdout: string }).stdout)).toMatchObject({
      status: 'refused',
      code: 'SANDBOX_BUSY',
    });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toHaveLength(1);
    expect(isProcessAlive(emulatorPid)).toBe(false);
    expect(existsSync(join(dir, 'sandbox.pid'))).toBe(false);
    await expect(fetch(`${info.s3Endpoint}/`)).rejects.toThrow();
  });

  it('stops cleanly with exit 0 on Ctrl-C, which signals the whole process group', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, [CLI, 'sandbox', 'start', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true, // its own process group, as a terminal's foreground job
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const output: string[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        output.push(line);
        if (line.startsWith('Press Ctrl-C')) resolve();
      });
    });
    expect(output[0]).toMatch(/^Sandbox ready in \d+ ms\.$/);
    const { stdout: children } = await execFileAsync('pgrep', ['-P', String(child.pid)]);
    const emulatorPid = Number(children.trim());
    process.kill(-(child.pid ?? 0), 'SIGINT');
    expect(await exited).toBe(0);
    expect(output[output.length - 1]).toBe('Sandbox stopped.');
    expect(isProcessAlive(emulatorPid)).toBe(false);
  });

  it('exits 1 with SANDBOX_FAILED when its emulator dies, and frees the directory', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, [CLI, '--json', 'sandbox', 'start', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines: string[] = [];
    const ready = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        resolve();
      });
    });
    await ready;
    const { stdout: children } = await execFileAsync('pgrep', ['-P', String(child.pid)]);
    process.kill(Number(children.trim()), 'SIGKILL');
    expect(await exited).toBe(1);
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ status: 'failed', code: 'SANDBOX_FAILED' });
    expect(existsSync(join(dir, 'sandbox.pid'))).toBe(false);
  });

  it('exits 2 on a bad flag, naming it', async () => {
    const result = await execFileAsync(process.execPath, [
      CLI,
      '--json',
      'sandbox',
      'start',
      '--dir',
      await tempDir(),
      '--fault-rate',
      '1.5',
    ]).catch((error: { code: number; stdout: string }) => error);
    expect((result as { code: number }).code).toBe(2);
    const printed = JSON.parse((result as { stdout: string }).stdout) as { code: string; message: string };
    expect(printed.code).toBe('BAD_INPUT');
    expect(printed.message).toContain('--fault-rate');
  });
});
