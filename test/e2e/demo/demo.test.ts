import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertChromiumInstalled, withChromium } from '../../support/chromium.js';

/**
 * Issue 7 "Done when", end to end: `frontendops demo` (what `npm run demo` runs after its build) on a
 * fresh clone of this repository, as a real child process: Vite build, persistent sandbox, publish, the
 * agent's "Deploy the latest dashboard" with both MCP servers as child processes. Then headless Chromium
 * on the edge URL; then a commit changing one component and a re-deploy of only the changed files.
 * The clone is where commits happen: the checkout running the tests is never written to (except the
 * git-ignored `.sandbox/demo-builds` scratch folder, removed after each build).
 *
 * The test builds its own fixture commits (issue 11 §3): the header's product line is set to a text
 * only this test uses before the first deploy, and changed to another one for the re-deploy. Edits to
 * the developer's checkout — committed (the clone has them) or not — never change what it expects
 * (regression: doing the README's own "Operations Center" edit, then `npm test`, failed it).
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'agent', 'bin', 'frontendops.js');
const OUTPUT = join(ROOT, 'test-output', 'demo');
const HEADER = join('sophia-dashboard', 'src', 'components', 'Header', 'Header.tsx');
/** The header's product line, whatever text the checkout gives it. */
const PRODUCT_LINE = /(<span className="brand__product">)[^<]*(<\/span>)/;
/** Texts no checkout has: the fixture commits' own. */
const FIXTURE_PRODUCT = `Operations e2e-${process.pid}`;
const CHANGED_PRODUCT = `Operations Center e2e-${process.pid}`;

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

/** Commits the header with `product` as its product line in the clone; returns the commit. */
async function commitProductLine(product: string, message: string): Promise<string> {
  const header = join(clone, HEADER);
  const source = await readFile(header, 'utf8');
  if (!PRODUCT_LINE.test(source)) {
    throw new Error(`${HEADER} has no <span className="brand__product"> for the fixture commit to change`);
  }
  await writeFile(header, source.replace(PRODUCT_LINE, `$1${product}$2`));
  await git(clone, ['commit', '--quiet', '--all', '-m', message]);
  return git(clone, ['rev-parse', 'HEAD']);
}

/** Holds a loopback port, as another program would. */
async function occupy(port: number): Promise<() => Promise<void>> {
  const server = createServer((_req, res) => res.end('another program'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

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
  let fixture: string;

  beforeAll(async () => {
    assertChromiumInstalled();
    work = await mkdtemp(join(tmpdir(), 'frontendops-demo-e2e-'));
    clone = join(work, 'project');
    await git(ROOT, ['clone', '--quiet', '--', ROOT, clone]);
    await git(clone, ['config', 'user.name', 'Demo Tester']);
    await git(clone, ['config', 'user.email', 'demo@example.test']);
    await git(clone, ['config', 'commit.gpgsign', 'false']);
    fixture = await commitProductLine(FIXTURE_PRODUCT, 'e2e fixture: the header says what this test expects');
    await mkdir(OUTPUT, { recursive: true });
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('--exit: builds, publishes and deploys the newest dashboard commit through the agent, then leaves nothing running', async () => {
    const expected = fixture;
    expect(await git(clone, ['log', '-1', '--format=%H', 'HEAD', '--', 'sophia-dashboard/'])).toBe(expected);
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
      // Nothing changed since the --exit run: the persisted sandbox still has the release live, at the
      // same URL (the sandbox comes back on its ports), so a bookmarked page just needs a reload.
      expect(run.result).toMatchObject({
        status: 'noop',
        commit: first.commit,
        tag: first.tag,
        build: 'already-published',
        served: first.commit,
        url: first.url,
      });
      await withChromium({ width: 1280, height: 1180, deviceScaleFactor: 1 }, async (page) => {
        await expectDashboard(page, run.result.url, first.commit);
        await expect(page.getByText(FIXTURE_PRODUCT, { exact: true }).isVisible()).resolves.toBe(true);
        await page.screenshot({ path: join(OUTPUT, 'demo-dashboard.png') });
      });
    } finally {
      expect(await run.stop(), run.stderr()).toBe(0);
    }
    expect(existsSync(join(OUTPUT, 'demo-dashboard.png'))).toBe(true);
    expect(await processesMentioning(work)).toEqual([]);
  });

  it('after a commit changing one component, re-deploys only the changed files and Chromium shows the new version', async () => {
    const second = await commitProductLine(CHANGED_PRODUCT, 'Header: say Operations Center');

    // Another program took the demo's port meanwhile: the demo says so in one line and serves elsewhere.
    const release = await occupy(Number(new URL(first.url).port));
    let run: Awaited<ReturnType<typeof startDemo>>;
    try {
      run = await startDemo([]);
    } finally {
      await release();
    }
    try {
      const result = run.result;
      expect(result.url).not.toBe(first.url);
      expect(run.stderr()).toContain(
        `Port ${new URL(first.url).port} (the site (edge), kept from the last run) is taken by another program; the site (edge) listens on ${new URL(result.url).port} this time.`,
      );
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

      await withChromium({ width: 1280, height: 1180, deviceScaleFactor: 1 }, async (page) => {
        await expectDashboard(page, result.url, second);
        await expect(page.getByText(CHANGED_PRODUCT, { exact: true }).isVisible()).resolves.toBe(true);
        await page.screenshot({ path: join(OUTPUT, 'demo-dashboard-redeploy.png') });
      });
    } finally {
      expect(await run.stop(), run.stderr()).toBe(0);
    }
    expect(await processesMentioning(work)).toEqual([]);
  });
});
