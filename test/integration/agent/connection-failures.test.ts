import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChat } from '../../../agent/src/cli/chat.js';
import { runDoctor } from '../../../agent/src/cli/doctor.js';
import { runCli } from '../../../agent/src/cli/main.js';
import { startSandbox } from '../../../agent/src/sandbox/index.js';
import { fileBackendUrl, sandboxStackOutputs, writeSandboxState } from '../../../agent/src/sandbox/state.js';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { testContext } from './support.js';

/**
 * Issue 11 §2: with the sandbox stopped, `status`, `chat` and `doctor` say what is down (S3 at its URL,
 * the CloudFront API, the site) and how to start it — the sandbox command with its directory — instead
 * of a bare ECONNREFUSED. And `doctor` puts a hint under every ✗, whichever dependency is broken.
 */

interface DoctorJson {
  status: string;
  checks: Array<{ name: string; level: string; detail: string; hint?: string; code?: string }>;
}

async function doctorJson(config: string): Promise<{ code: number; result: DoctorJson }> {
  const { ctx, out } = testContext();
  const code = await runDoctor(ctx, { config, json: true });
  return { code, result: JSON.parse(out()) as DoctorJson };
}

/** Every failing row carries a hint: the promise doctor's docs make. */
function expectHintUnderEveryFailure(result: DoctorJson): void {
  const failures = result.checks.filter((c) => c.level === 'fail');
  expect(failures.length).toBeGreaterThan(0);
  for (const check of failures) {
    expect(check.hint, `${check.name}: ${check.detail}`).toMatch(/\S/);
  }
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('with the sandbox stopped', () => {
  let dir: string;
  let config: string;
  let s3Endpoint: string;
  const startHint = () =>
    `The sandbox in ${dir} is not running: start it with \`frontendops sandbox start --dir ${dir}\`, then try again.`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frontendops-stopped-'));
    const sandbox = await startSandbox({ dir });
    config = sandbox.info.configPath;
    s3Endpoint = sandbox.info.s3Endpoint;
    await sandbox.stop();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('status names S3 at its URL and says how to start the sandbox (regression: bare ECONNREFUSED)', async () => {
    const { ctx, out, err } = testContext();
    expect(await runCli(['--config', config, 'status'], ctx)).toBe(1);
    expect(out()).toBe('');
    expect(err()).toContain(
      `Failed [ENDPOINT_UNREACHABLE]: S3 at ${s3Endpoint} refused the connection (ECONNREFUSED) while reading s3://`,
    );
    expect(err()).toContain(`hint: ${startHint()}`);

    const json = testContext();
    expect(await runCli(['--json', '--config', config, 'status'], json.ctx)).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({
      status: 'failed',
      code: 'ENDPOINT_UNREACHABLE',
      hint: startHint(),
    });
  });

  it('chat says the same for a request, and keeps going', async () => {
    const { ctx, out, stdin } = testContext();
    const chat = runChat(ctx, { config });
    stdin.write("what's live?\n");
    stdin.write('help\n');
    stdin.end('exit\n');
    expect(await chat).toBe(0);
    expect(out()).toContain(`Failed [ENDPOINT_UNREACHABLE]: S3 at ${s3Endpoint} refused the connection`);
    expect(out()).toContain(`hint: ${startHint()}`);
    expect(out()).toMatch(/deploy the latest dashboard/i); // help still answered afterwards
  });

  it('doctor marks S3, the CloudFront API and the site ✗, each with the start hint under it', async () => {
    const { ctx, out } = testContext();
    expect(await runDoctor(ctx, { config })).toBe(1);
    const lines = out().split('\n');
    for (const row of ['S3 artifacts bucket', 'S3 hosting bucket', 'CloudFront', 'site']) {
      const at = lines.findIndex((line) => line.startsWith(`✗ ${row} `));
      expect(at, `${row} in\n${out()}`).toBeGreaterThanOrEqual(0);
      expect(lines[at]).toContain('ENDPOINT_UNREACHABLE');
      expect(lines[at + 1]).toBe(`    hint: ${startHint()}`);
    }
    expect(out()).toMatch(
      /✗ CloudFront .*the CloudFront API at http:\/\/127\.0\.0\.1:\d+ refused the connection/,
    );
    expect(out()).toMatch(/✗ site .*the site at http:\/\/127\.0\.0\.1:\d+ refused the connection/);
    for (const row of ['config', 'mcp server pulumi', 'mcp server github', 'stack outputs', 'GitHub']) {
      expect(out()).toMatch(new RegExp(`✓ ${row} `));
    }
  });
});

/** The parts of a sandbox's config these tests change. */
interface ConfigJson {
  stacks: Array<{ backend: { kind: string; url: string } }>;
  mcpServers: Record<'pulumi' | 'github', { command: string; args: string[]; env: Record<string, string> }>;
}

describe('doctor with each dependency broken in turn', () => {
  let sandbox: TestSandbox;
  let base: ConfigJson;
  let work: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    base = JSON.parse(await readFile(sandbox.sandbox.info.configPath, 'utf8'));
    work = await mkdtemp(join(tmpdir(), 'frontendops-doctor-broken-'));
  });
  afterAll(async () => {
    await sandbox?.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** Writes a copy of the sandbox's config changed by `change`; returns its path. */
  async function brokenConfig(name: string, change: (config: ConfigJson) => void): Promise<string> {
    const config = structuredClone(base);
    change(config);
    const path = join(work, `${name}.config.json`);
    await writeFile(path, JSON.stringify(config));
    return path;
  }

  /** A Pulumi state like the sandbox's whose outputs are changed by `change`. */
  async function stateWith(name: string, change: Partial<ReturnType<typeof sandboxStackOutputs>>) {
    const info = sandbox.sandbox.info;
    const backendDir = join(work, `${name}-state`);
    const outputs = {
      ...sandboxStackOutputs({
        artifactsBucket: info.artifactsBucket,
        hostingBucket: info.hostingBucket,
        distributionId: info.distributionId,
        edgeUrl: info.edgeUrl,
      }),
      ...change,
    };
    await writeSandboxState(backendDir, outputs, new Date());
    return fileBackendUrl(backendDir);
  }

  function useState(config: ConfigJson, url: string): void {
    for (const stack of config.stacks) stack.backend.url = url;
    config.mcpServers.pulumi.env.PULUMI_BACKEND_URL = url;
  }

  it('a missing or unreadable config', async () => {
    const missing = await doctorJson(join(work, 'nothing-here.json'));
    expect(missing.code).toBe(2);
    expect(missing.result.checks).toMatchObject([{ name: 'config', level: 'fail', code: 'CONFIG_INVALID' }]);
    expectHintUnderEveryFailure(missing.result);
    const garbage = join(work, 'garbage.json');
    await writeFile(garbage, '{ "stacks": [,] }');
    expectHintUnderEveryFailure((await doctorJson(garbage)).result);
  });

  it('a pulumi MCP server that is not installed, or that dies at start', async () => {
    const missing = await brokenConfig('pulumi-missing', (c) => {
      c.mcpServers.pulumi.command = join(work, 'no-such-server');
    });
    const first = await doctorJson(missing);
    expect(first.code).toBe(1);
    expect(first.result.checks.find((c) => c.name === 'mcp server pulumi')?.level).toBe('fail');
    expectHintUnderEveryFailure(first.result);

    const dies = await brokenConfig('pulumi-dies', (c) => {
      c.mcpServers.pulumi.command = process.execPath;
      c.mcpServers.pulumi.args = ['-e', 'process.exit(3)'];
    });
    const second = await doctorJson(dies);
    expect(second.result.checks.find((c) => c.name === 'mcp server pulumi')?.level).toBe('fail');
    expectHintUnderEveryFailure(second.result);
  });

  it('a Pulumi backend without the stack', async () => {
    const empty = await mkdtemp(join(work, 'empty-state-'));
    const config = await brokenConfig('no-stack', (c) => useState(c, fileBackendUrl(empty)));
    const { result } = await doctorJson(config);
    expect(result.checks.find((c) => c.name === 'stack outputs')?.level).toBe('fail');
    expectHintUnderEveryFailure(result);
  });

  it('stack outputs naming a bucket that does not exist', async () => {
    const url = await stateWith('no-bucket', {
      artifactsBucket: 'sophia-dashboard-build-artifacts-gone',
      syncCommand: `aws s3 sync s3://sophia-dashboard-build-artifacts-gone/builds/{commit}/site/ s3://${sandbox.sandbox.info.hostingBucket}/ --delete`,
    });
    const { result } = await doctorJson(await brokenConfig('no-bucket', (c) => useState(c, url)));
    expect(result.checks.find((c) => c.name === 'S3 artifacts bucket')).toMatchObject({ level: 'fail' });
    expect(result.checks.find((c) => c.name === 'S3 hosting bucket')).toMatchObject({ level: 'ok' });
    expectHintUnderEveryFailure(result);
  });

  it('a CloudFront API that does not answer while the sandbox runs', async () => {
    const port = await closedPort();
    const config = await brokenConfig('cloudfront-down', (c) => {
      c.mcpServers.pulumi.env.AWS_ENDPOINT_URL_CLOUDFRONT = `http://127.0.0.1:${port}`;
    });
    const { result } = await doctorJson(config);
    const row = result.checks.find((c) => c.name === 'CloudFront');
    expect(row).toMatchObject({ level: 'fail', code: 'ENDPOINT_UNREACHABLE' });
    // The endpoint the pulumi server itself used, not the one in the agent's config.
    expect(row?.detail).toMatch(
      new RegExp(`the CloudFront API at (http://)?127\\.0\\.0\\.1:${port} refused the connection`),
    );
    // Not the sandbox's endpoint (the sandbox runs fine): the hint names what to check instead.
    expect(row?.hint).toMatch(new RegExp(`^Check that (http://)?127\\.0\\.0\\.1:${port} is up`));
    expectHintUnderEveryFailure(result);
  });

  it('a site URL nothing answers on', async () => {
    const port = await closedPort();
    const url = await stateWith('site-down', { url: `http://127.0.0.1:${port}` });
    const { result } = await doctorJson(await brokenConfig('site-down', (c) => useState(c, url)));
    expect(result.checks.find((c) => c.name === 'site')).toMatchObject({
      level: 'fail',
      code: 'ENDPOINT_UNREACHABLE',
    });
    expectHintUnderEveryFailure(result);
  });

  it('a github MCP server pointed at something that is not a repository', async () => {
    const config = await brokenConfig('no-repo', (c) => {
      c.mcpServers.github.env.FRONTENDOPS_GIT_REPO = work;
    });
    const { result } = await doctorJson(config);
    expect(result.checks.find((c) => c.name === 'GitHub')?.level).toBe('fail');
    expectHintUnderEveryFailure(result);
  });

  it('prints the hint on the line under each ✗ (text output)', async () => {
    const { ctx, out } = testContext();
    const config = await brokenConfig('text', (c) => {
      c.mcpServers.github.env.FRONTENDOPS_GIT_REPO = work;
    });
    expect(await runDoctor(ctx, { config })).toBe(1);
    const lines = out().split('\n');
    const failed = lines.flatMap((line, i) => (line.startsWith('✗ ') ? [i] : []));
    expect(failed.length).toBeGreaterThan(0);
    for (const i of failed) expect(lines[i + 1]).toMatch(/^ {4}hint: \S/);
  });
});
