import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type CliRun,
  cliEnv,
  commitDashboardChange,
  fetchText,
  ROOT,
  runCli,
} from '../../integration/agent/support.js';
import { assertChromiumInstalled, withChromium } from '../../support/chromium.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * Issue 11 §4, end to end: the release history the engine publishes as `deployments.json` is what a
 * visitor of the dashboard sees. Two fixture commits of the test's own in the sandbox's scratch repo,
 * each with a real Vite build of the dashboard published through the CLI; `frontendops deploy` of both,
 * then `frontendops rollback`; then headless Chromium on the sandbox's edge URL reads the Deployments
 * panel the way a screen reader would (by role).
 */

const OUTPUT = join(ROOT, 'test-output', 'dashboard');
const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const REQUESTER = 'panel-e2e';
const STACK = 'dashboard-hosting-prod';
const BUILT_AT = '2026-11-23T09:00:00.000Z';
/** How far past the last release the browser's clock is set, so every relative time reads alike. */
const LATER_MS = 3 * 60 * 60 * 1000;

/** What the engine publishes; parsed strictly here so a renamed or missing field fails the test. */
const Published = z.object({
  schema: z.literal(1),
  stack: z.string(),
  generatedAt: z.iso.datetime(),
  live: z.string().nullable(),
  releases: z.array(
    z.object({
      releaseId: z.string(),
      tag: z.string().nullable(),
      commit: z.string(),
      subject: z.string().nullable(),
      startedAt: z.iso.datetime(),
      finishedAt: z.iso.datetime().nullable(),
      requestedBy: z.string(),
      trigger: z.string(),
      kind: z.enum(['deploy', 'rollback', 'auto-rollback']),
      status: z.enum(['pending', 'complete', 'rolled_back']),
      filesChanged: z.number().int().nonnegative(),
      durationMs: z.number().int().nonnegative().nullable(),
    }),
  ),
});

const { sandbox } = sandboxPerFile({ invalidationDelayMs: 100 });
let work: string;

beforeAll(async () => {
  assertChromiumInstalled();
  work = await mkdtemp(join(tmpdir(), 'frontendops-panel-e2e-'));
  await mkdir(OUTPUT, { recursive: true });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The dashboard's production build of this checkout, with `version.json` naming `commit`. */
async function buildDashboard(outDir: string, commit: string): Promise<void> {
  const { PATH, HOME } = process.env;
  await promisify(execFile)(
    process.execPath,
    [VITE, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: join(ROOT, 'sophia-dashboard'),
      env: { PATH, HOME, DASHBOARD_COMMIT: commit, SOURCE_DATE_EPOCH: String(Date.parse(BUILT_AT) / 1000) },
    },
  );
}

/** The one JSON result a `--json` run prints, with the run in the message when it is not there. */
function resultOf(run: CliRun): Record<string, unknown> {
  const line = run.stdout
    .trim()
    .split('\n')
    .findLast((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no JSON result (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('the Deployments panel in Chromium', () => {
  it('after two deploys and a rollback the Deployments panel shows three rows in order', async () => {
    const s = sandbox();
    const env = cliEnv({ FRONTENDOPS_REQUESTER: REQUESTER });
    const cli = async (args: string[]) => {
      const run = await runCli(['--json', '--config', s.info.configPath, ...args], { env });
      expect(run.code, `${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0);
      return resultOf(run);
    };

    // Two fixture commits of this test's own in the scratch repo the github MCP server reads.
    const first = await commitDashboardChange(s, 'panel-e2e.txt', 'Panel e2e: first release');
    const second = await commitDashboardChange(s, 'panel-e2e.txt', 'Panel e2e: second release');

    // Their builds: the dashboard reads its commit from version.json at run time, so a build of the same
    // sources for another commit is the same output with another version.json — what Vite would write.
    const firstSite = join(work, 'first');
    const secondSite = join(work, 'second');
    await buildDashboard(firstSite, first);
    await cp(firstSite, secondSite, { recursive: true });
    await writeFile(join(secondSite, 'version.json'), JSON.stringify({ commit: second, builtAt: BUILT_AT }));
    expect(JSON.parse(await readFile(join(firstSite, 'version.json'), 'utf8')).commit).toBe(first);
    await cli(['publish', firstSite, '--commit', first]);
    await cli(['publish', secondSite, '--commit', second]);

    const deployed1 = await cli(['deploy', '--commit', first, '--yes']);
    expect(deployed1).toMatchObject({ status: 'deployed', commit: first });
    const deployed2 = await cli(['deploy', '--commit', second, '--yes']);
    expect(deployed2).toMatchObject({ status: 'deployed', commit: second });
    // Back to the release before the live one: the first commit (exit 0 is checked by `cli`).
    const rolled = await cli(['rollback', '--yes']);
    expect(rolled).toMatchObject({ commit: first });
    const tags = [rolled.tag, deployed2.tag, deployed1.tag];
    for (const tag of tags) expect(tag).toMatch(/^dashboard-deploy-\d{8}-\d+$/);
    expect(new Set(tags).size).toBe(3);

    // What the engine published, as the edge serves it.
    const served = await fetchText(`${s.info.edgeUrl}/deployments.json`);
    expect(served.status, served.text).toBe(200);
    const doc = Published.parse(JSON.parse(served.text));
    expect(doc.stack).toBe(STACK);
    expect(doc.releases.map((r) => [r.kind, r.commit, r.tag, r.status])).toEqual([
      ['rollback', first, tags[0], 'complete'],
      ['deploy', second, tags[1], 'complete'],
      ['deploy', first, tags[2], 'complete'],
    ]);
    expect(doc.live).toBe(doc.releases[0]?.releaseId);
    const finished = doc.releases.map((r) => r.finishedAt ?? '');
    const lastFinished = Math.max(...finished.map((at) => Date.parse(at)));

    await withChromium({ width: 1280, height: 1400 }, async (page) => {
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => problems.push(error.message));
      const deploymentsResponses: number[] = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname === '/deployments.json')
          deploymentsResponses.push(response.status());
      });
      // The visitor comes back three hours later: every time then reads "3 hours ago", whatever the load.
      await page.clock.setFixedTime(new Date(lastFinished + LATER_MS));

      await page.goto(`${s.info.edgeUrl}/`, { waitUntil: 'load' });
      await page.locator(`[data-commit="${first}"]`).waitFor({ timeout: 15_000 });
      const panel = page.getByRole('region', { name: 'Deployments' });
      // Loaded: a table, the empty state or an error. Only the table will do, and it says how many.
      await panel
        .getByRole('table')
        .or(panel.getByText('No deployments recorded yet'))
        .or(panel.getByRole('alert'))
        .waitFor({ timeout: 15_000 });
      const table = panel.getByRole('table', {
        name: `The 3 most recent deployments of ${STACK}, newest first`,
      });
      expect(await table.isVisible(), (await panel.textContent()) ?? '').toBe(true);

      // A header row of column headers, then one row per release, each led by its row header.
      const rows = table.getByRole('row');
      expect(await rows.count()).toBe(4);
      expect(await rows.nth(0).getByRole('columnheader').allTextContents()).toEqual([
        'Release',
        'Commit',
        'Change',
        'Trigger',
        'Requested by',
        'When',
        'Duration',
        'Files changed',
      ]);
      const row = (index: number) => rows.nth(index + 1);
      const cells = async (index: number) => row(index).getByRole('cell').allTextContents();

      // Newest first: the rollback (live, back on the first commit), the second deploy, the first deploy.
      expect(await row(0).getByRole('rowheader').textContent()).toBe(`${tags[0]}LiveRollback`);
      expect(await row(0).getAttribute('aria-current')).toBe('true');
      expect(await row(1).getByRole('rowheader').textContent()).toBe(tags[1]);
      expect(await row(2).getByRole('rowheader').textContent()).toBe(tags[2]);
      for (const index of [1, 2]) expect(await row(index).getAttribute('aria-current')).toBeNull();
      expect(await table.getByText('Live', { exact: true }).count()).toBe(1);

      const subjects = ['Panel e2e: first release', 'Panel e2e: second release', 'Panel e2e: first release'];
      const commits = [first, second, first];
      for (const index of [0, 1, 2]) {
        const [commit, subject, trigger, requester, when] = await cells(index);
        expect(commit).toBe(commits[index]?.slice(0, 7));
        expect(await row(index).locator('code').getAttribute('title')).toBe(commits[index]);
        expect(subject).toBe(subjects[index]);
        expect(trigger).toBe('CLI');
        expect(requester).toBe(REQUESTER);
        expect(when).toBe('3 hours ago');
        // The exact time stays in the <time> element: machine-readable, and in its tooltip.
        const time = row(index).locator('time');
        expect(await time.getAttribute('datetime')).toBe(finished[index]);
        expect(await time.getAttribute('title')).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC$/);
      }
      // The second deploy and the rollback changed only version.json; the first deploy, the whole build.
      expect((await cells(0))[6]).toBe('1 file');
      expect((await cells(1))[6]).toBe('1 file');
      expect((await cells(2))[6]).toBe(`${doc.releases[2]?.filesChanged} files`);
      expect(doc.releases[2]?.filesChanged).toBeGreaterThan(3);

      await panel.screenshot({ path: join(OUTPUT, 'deployments-panel.png') });
      // deployments.json was there on the first request: no 404, and nothing else logged as an error.
      expect(deploymentsResponses.length).toBeGreaterThan(0);
      expect(deploymentsResponses.every((status) => status === 200)).toBe(true);
      expect(problems).toEqual([]);
    });
  });
});
