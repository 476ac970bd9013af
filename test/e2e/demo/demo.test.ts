import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 7 "Done when", end to end: `frontendops demo` (what `npm run demo` runs after its build) on a
 * fresh clone of this repository, as a real child process: Vite build, persistent sandbox, publish, the
 * agent's "Deploy the latest dashboard" with both MCP servers as child processes. Then headless Chromium
 * on the edge URL; then a commit changing one component and a re-deploy of only the changed files.
 * The clone is where commits happen: the checkout running the tests is never written to (except the
 * git-ignored `.sandbox/demo-builds` scratch folder, removed after each build).
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'agent', 'bin', 'frontendops.js');
const OUTPUT = join(ROOT, 'test-output', 'demo');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const HEADER = join('sophia-dashboard', 'src', 'components', 'Header', 'Header.tsx');

interface DemoJson {
  status: 'deployed' | 'noop';
  commit: string;
  tag: string | null;
  url: string;
  served: string | null;
  build: 'built' | 'already-published';
  publish: { status: string; files: number; uploaded: number } | null;
  previousCommit: string | null;
  changedFiles: string[];
  deploy: {
    status: string;
    copied: number;
    unchanged: number;
    requests: Record<string, number>;
    tag: string | null;
  };
  sandboxDir: string;
  scratchRepo: string;
}

const git = async (cwd: string, args: string[]) =>
  (await promisify(execFile)('git', args, { cwd })).stdout.trim();

let work: string;
let clone: string;
const children = new Set<ChildProcess>();

/** Starts `frontendops --json demo --repo <clone> …args`; resolves with its JSON result once printed. */
async function startDemo(args: string[]): Promise<{
  result: DemoJson;
  stderr: () => string;
  /** Resolves with the exit code (SIGINT first when still serving, as Ctrl-C does). */
  stop: () => Promise<number | null>;
  exited: Promise<number | null>;
}> {
  const child = spawn(process.execPath, [CLI, '--json', 'demo', '--repo', clone, ...args], {
    cwd: clone,
    env: { ...process.env, FRONTENDOPS_REQUESTER: 'demo-e2e' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const result = await new Promise<DemoJson>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as DemoJson);
    });
    void exited.then((code) => reject(new Error(`demo exited with ${code} before its result:\n${stderr}`)));
  });
  return {
    result,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Processes whose command line or environment mentions `text` (Linux /proc; `ps` elsewhere). */
async function processesMentioning(text: string): Promise<string[]> {
  if (!existsSync('/proc/self/cmdline')) {
    const { stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,args=']);
    return stdout.split('\n').filter((line) => line.includes(text));
  }
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const read = (file: string) => readFile(join('/proc', pid, file), 'utf8').catch(() => '');
    const [cmdline, environ] = await Promise.all([read('cmdline'), read('environ')]);
    if (cmdline.includes(text) || environ.includes(text))
      found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
  }
  return found;
}

async function withChromium<T>(run: (page: Page) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(join(tmpdir(), 'frontendops-demo-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1180 },
      deviceScaleFactor: 1,
      // The charts skip their entry animation, so what is asserted and photographed is final.
      reducedMotion: 'reduce',
      colorScheme: 'light',
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return await run(page);
  } finally {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** Loads the dashboard and checks what a visitor sees: the version, five KPI cards, three drawn charts. */
async function expectDashboard(page: Page, url: string, commit: string): Promise<void> {
  await page.goto(`${url}/`, { waitUntil: 'load' });
  const version = page.locator(`[data-commit="${commit}"]`);
  await version.waitFor({ timeout: 15_000 });
  await expect(version.getByText(commit.slice(0, 7), { exact: true }).isVisible()).resolves.toBe(true);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Operations overview' }).isVisible(),
  ).resolves.toBe(true);
  expect(await page.getByRole('article').count()).toBe(5);
  for (const name of ['Conversations per day', 'First-reply time', 'Conversations by channel']) {
    const figure = page.getByRole('figure', { name });
    await expect(figure.isVisible()).resolves.toBe(true);
    // recharts drew it: an SVG surface with plotted shapes inside the figure.
    await figure.locator('svg.recharts-surface path').first().waitFor({ timeout: 15_000 });
  }
}

describe('npm run demo on a fresh clone', () => {
  let first: DemoJson;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    work = await mkdtemp(join(tmpdir(), 'frontendops-demo-e2e-'));
    clone = join(work, 'project');
    await git(ROOT, ['clone', '--quiet', '--', ROOT, clone]);
    await git(clone, ['config', 'user.name', 'Demo Tester']);
    await git(clone, ['config', 'user.email', 'demo@example.test']);
    await git(clone, ['config', 'commit.gpgsign', 'false']);
    await mkdir(OUTPUT, { recursive: true });
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('--exit: builds, publishes and deploys the newest dashboard commit through the agent, then leaves nothing running', async () => {
    const expected = await git(clone, ['log', '-1', '--format=%H', 'HEAD', '--', 'sophia-dashboard/']);
    const run = await startDemo(['--exit']);
    expect(await run.exited, run.stderr()).toBe(0);
    first = run.result;
    expect(first).toMatchObject({
      status: 'deployed',
      commit: expected,
      served: expected,
      build: 'built',
      previousCommit: null,
      sandboxDir: join(clone, '.sandbox', 'demo'),
    });
    expect(first.tag).toMatch(/^dashboard-deploy-\d{8}-1$/);
    expect(first.deploy).toMatchObject({ status: 'deployed', tag: first.tag });
    // The whole build went live: every published file was copied.
    expect(first.publish?.files).toBeGreaterThan(0);
    expect(first.deploy.copied).toBe(first.publish?.files);
    expect(first.changedFiles).toHaveLength(first.deploy.copied);

    // The tag went to the scratch clone, never to the repository the demo deployed from.
    expect(await git(first.scratchRepo, ['rev-list', '-n', '1', first.tag ?? ''])).toBe(expected);
    expect(await git(clone, ['tag', '--list', 'dashboard-deploy-*'])).toBe('');
    expect(await git(clone, ['status', '--porcelain'])).toBe('');
    expect(await processesMentioning(work)).toEqual([]);
  });

  it('serves the deployed dashboard at the edge URL: Chromium renders KPIs, charts and the deployed version; Ctrl-C stops it', async () => {
    const run = await startDemo([]);
    try {
      // Nothing changed since the --exit run: the persisted sandbox still has the release live.
      expect(run.result).toMatchObject({
        status: 'noop',
        commit: first.commit,
        tag: first.tag,
        build: 'already-published',
        served: first.commit,
      });
      await withChromium(async (page) => {
        await expectDashboard(page, run.result.url, first.commit);
        await page.screenshot({ path: join(OUTPUT, 'demo-dashboard.png') });
      });
    } finally {
      expect(await run.stop(), run.stderr()).toBe(0);
    }
    expect(existsSync(join(OUTPUT, 'demo-dashboard.png'))).toBe(true);
    expect(await processesMentioning(work)).toEqual([]);
  });

  it('after a commit changing one component, re-deploys only the changed files and Chromium shows the new version', async () => {
    const header = join(clone, HEADER);
    const source = await readFile(header, 'utf8');
    const changed = source.replace(
      '<span className="brand__product">Operations</span>',
      '<span className="brand__product">Operations Center</span>',
    );
    expect(changed).not.toBe(source);
    await writeFile(header, changed);
    await git(clone, ['commit', '--quiet', '--all', '-m', 'Header: say Operations Center']);
    const second = await git(clone, ['rev-parse', 'HEAD']);

    const run = await startDemo([]);
    try {
      const result = run.result;
      expect(result).toMatchObject({
        status: 'deployed',
        commit: second,
        served: second,
        build: 'built',
        previousCommit: first.commit,
      });
      expect(result.tag).toMatch(/^dashboard-deploy-\d{8}-2$/);
      // One component changed: the app chunk, the page that loads it, and version.json. The vendor and
      // react chunks, the CSS and the favicon keep their content and are not copied.
      expect(result.changedFiles).toHaveLength(3);
      expect(result.changedFiles[0]).toMatch(/^assets\/index-[A-Za-z0-9_-]{8}\.js$/);
      expect(result.changedFiles.slice(1)).toEqual(['index.html', 'version.json']);
      expect(result.deploy.copied).toBe(3);
      expect(result.deploy.requests.CopyObject).toBe(3);
      expect(result.deploy.unchanged).toBe((result.publish?.files ?? 0) - 3);

      await withChromium(async (page) => {
        await expectDashboard(page, result.url, second);
        await expect(page.getByText('Operations Center').isVisible()).resolves.toBe(true);
        await page.screenshot({ path: join(OUTPUT, 'demo-dashboard-redeploy.png') });
      });
    } finally {
      expect(await run.stop(), run.stderr()).toBe(0);
    }
    expect(await processesMentioning(work)).toEqual([]);
  });
});
