import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditLog } from '../../../agent/src/audit/log.js';
import type { CliContext } from '../../../agent/src/cli/context.js';
import { runCli } from '../../../agent/src/cli/main.js';
import { generateSite, writeSite } from '../../support/builds.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import { commitInScratchRepo } from '../../support/deploy-sandbox.js';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';

/** `frontendops publish` and `frontendops deploy` in-process against the sandbox, through the real CLI. */
const { sandbox, dir: sandboxDir } = sandboxPerFile();
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function cli(args: string[], options: { tty?: boolean; stdin?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (options.tty) stdin.isTTY = true;
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += String(c);
  });
  stderr.on('data', (c) => {
    err += String(c);
  });
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin,
    env: { USER: 'cli-test' },
    cwd: scratch,
    now: () => new Date(),
    isTTY: Boolean(options.tty),
    onShutdown: () => () => {},
  };
  const code = await runCli(['--config', sandbox().info.configPath, ...args], ctx);
  return { code, out, err };
}

/** The hosting bucket's keys, straight from S3. */
async function hostingKeys(): Promise<string[]> {
  const s3 = sandboxS3Client(sandbox());
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: sandbox().info.hostingBucket }));
    return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
  } finally {
    s3.destroy();
  }
}

const DEPLOY_KEYS = [
  'commit',
  'copied',
  'deferredDeletes',
  'deleted',
  'durationMs',
  'invalidationId',
  'requests',
  'status',
  'unchanged',
];

async function siteDir(name: string, version: number, commit = commitSha(version)): Promise<string> {
  const dir = join(scratch, name);
  await writeSite(dir, generateSite({ files: 30, version, commit }));
  return dir;
}

/** A commit that exists in the scratch repo (the agent checks and tags it), published from a fresh build. */
async function publishedCommit(label: string, version: number): Promise<string> {
  const commit = await commitInScratchRepo(sandbox(), label);
  const published = await cli([
    '--json',
    'publish',
    await siteDir(label, version, commit),
    '--commit',
    commit,
  ]);
  expect(published.code, published.err).toBe(0);
  return commit;
}

/** The documented keys of a deploy result; a release that ran also names its releaseId and kind. */
function expectDeployKeys(json: Record<string, unknown>): void {
  const ran = json.status !== 'planned' && json.status !== 'noop';
  const keys = Object.keys(json).filter((k) => k !== 'tag');
  expect(keys.sort()).toEqual(ran ? [...DEPLOY_KEYS, 'kind', 'releaseId'].sort() : DEPLOY_KEYS);
}

describe('frontendops publish', () => {
  it('publishes a build, then treats identical content as a no-op and different content as BUILD_EXISTS', async () => {
    const dir = await siteDir('v1', 1);
    const first = await cli(['--json', 'publish', dir, '--commit', commitSha(1)]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({
      status: 'published',
      commit: commitSha(1),
      files: 30,
      uploaded: 30,
    });

    const again = await cli(['--json', 'publish', dir, '--commit', commitSha(1)]);
    expect(JSON.parse(again.out)).toMatchObject({ status: 'unchanged', uploaded: 0 });

    await writeFile(join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    const changed = await cli(['--json', 'publish', dir, '--commit', commitSha(1)]);
    expect(changed.code).toBe(3);
    expect(JSON.parse(changed.out)).toMatchObject({ code: 'BUILD_EXISTS' });
  });

  it('reads the stack outputs through the pulumi MCP server the config names, and audits the request', async () => {
    const dir = await siteDir('v4', 4);
    const published = await cli(['publish', dir, '--commit', commitSha(4)]);
    expect(published.code, published.err).toBe(0);
    expect(published.out).toContain(
      `s3://${sandbox().info.artifactsBucket}/builds/${commitSha(4)}/build.json`,
    );

    const audit = parseAuditLog(await readFile(join(sandboxDir(), 'audit.jsonl'), 'utf8'));
    const request = audit.findLast((e) => e.kind === 'request' && e.text.startsWith('publish '));
    expect(request).toMatchObject({ trigger: 'cli', requester: 'cli-test' });
    const entries = audit.filter((e) => e.requestId === request?.requestId);
    expect(entries.map((e) => (e.kind === 'tool_call' ? `${e.server}/${e.tool}` : e.kind))).toEqual([
      'request',
      'pulumi/pulumi-cli-stack-output',
      'result',
    ]);
    expect(entries.at(-1)).toMatchObject({ status: 'published', commit: commitSha(4) });
  });

  it('refuses a short sha, an empty folder and a symlink leaving the folder', async () => {
    const dir = await siteDir('v2', 2);
    const short = await cli(['publish', dir, '--commit', 'abc1234']);
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/not a full 40-hex sha/);

    const empty = join(scratch, 'empty');
    await mkdir(join(empty, 'nested'), { recursive: true });
    const none = await cli(['publish', empty, '--commit', commitSha(2)]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/holds no files/);

    await symlink('/etc/hostname', join(dir, 'leak.txt'));
    const leak = await cli(['publish', dir, '--commit', commitSha(2)]);
    expect(leak.code).toBe(2);
    expect(leak.err).toMatch(/leak\.txt is a symlink to .*outside/);
  });

  it('follows a symlink that stays inside the folder', async () => {
    const dir = await siteDir('v3', 3);
    await symlink(join(dir, 'favicon.svg'), join(dir, 'favicon-copy.svg'));
    const result = await cli(['--json', 'publish', dir, '--commit', commitSha(3)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).files).toBe(31);
  });
});

describe('frontendops deploy', () => {
  it('plans with --dry-run, refuses without --yes and without a terminal, deploys with --yes, then is a no-op', async () => {
    const commit = await publishedCommit('cli-a', 11);
    const planned = await cli(['deploy', '--commit', commit, '--dry-run', '--json']);
    expect(planned.code, planned.err).toBe(0);
    const plannedJson = JSON.parse(planned.out);
    expectDeployKeys(plannedJson);
    expect(plannedJson).toMatchObject({ status: 'planned', copied: 0, invalidationId: null });

    const refused = await cli(['deploy', '--commit', commit, '--json']);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.out)).toMatchObject({ status: 'refused', code: 'REFUSED' });
    expect(refused.out.trim().split('\n')).toHaveLength(1);

    const deployed = await cli(['deploy', '--commit', commit, '--yes', '--json']);
    expect(deployed.code, deployed.out).toBe(0);
    const json = JSON.parse(deployed.out);
    expectDeployKeys(json);
    expect(json).toMatchObject({ status: 'deployed', commit, copied: 30, unchanged: 0 });
    expect(json.invalidationId).toMatch(/^I/);
    expect(json.requests.CopyObject).toBe(30);

    const noop = await cli(['deploy', '--commit', commit, '--yes', '--json']);
    expect(JSON.parse(noop.out)).toMatchObject({ status: 'noop', copied: 0 });
  });

  it('asks on a terminal, showing the plan, and changes nothing when the answer is no', async () => {
    const commit = await publishedCommit('cli-b', 12);
    const declined = await cli(['deploy', '--commit', commit], { tty: true, stdin: 'n\n' });
    expect(declined.code).toBe(3);
    expect(declined.out).toMatch(
      /^Deploy [0-9a-f]{7} "Dashboard: cli-b" to dashboard-hosting-prod \(live now: /m,
    );
    expect(declined.err).toMatch(/^Cancelled — nothing changed: you answered no/m);
    expect(declined.out).toMatch(/\[y\/N\]/);
    const accepted = await cli(['deploy', '--commit', commit], { tty: true, stdin: 'y\n' });
    expect(accepted.code).toBe(0);
    expect(accepted.out).toMatch(/Deployed .* to dashboard-hosting-prod/);
  });

  it('reports a commit without a build as bad input', async () => {
    const unbuilt = await commitInScratchRepo(sandbox(), 'cli-no-build');
    const missing = await cli(['deploy', '--commit', unbuilt, '--yes', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.out)).toMatchObject({ status: 'refused', code: 'BUILD_NOT_FOUND' });
  });

  it('regression: refuses a full sha that git does not know before anything changes (it once went live, then failed at tagging)', async () => {
    // A complete build of a commit git has never seen: only git can refuse it.
    const ghost = commitSha(77);
    expect((await cli(['publish', await siteDir('ghost', 77, ghost), '--commit', ghost])).code).toBe(0);
    const before = await hostingKeys();
    const unknown = await cli(['deploy', '--commit', ghost, '--yes', '--json']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.out)).toMatchObject({ status: 'refused', code: 'COMMIT_NOT_FOUND' });
    expect(await hostingKeys()).toEqual(before);
  });
});
