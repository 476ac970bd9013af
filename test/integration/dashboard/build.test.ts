import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real `vite build` of sophia-dashboard: the output the publisher uploads and the engine deploys.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const dashboard = join(root, 'sophia-dashboard');
const viteBin = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

function viteBuild(outDir: string, env: Record<string, string>) {
  // Only what vite needs: no GITHUB_SHA or DASHBOARD_COMMIT leaking in from the calling shell.
  const { PATH, HOME } = process.env;
  return promisify(execFile)(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: dashboard,
    env: { PATH, HOME, ...env },
  });
}

describe('sophia-dashboard build', () => {
  let workDir: string;
  let outDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'sophia-dashboard-build-'));
    outDir = join(workDir, 'dist');
    await viteBuild(outDir, { DASHBOARD_COMMIT: COMMIT, SOURCE_DATE_EPOCH: '1795000000' });
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('writes version.json naming the commit from DASHBOARD_COMMIT', async () => {
    const version = JSON.parse(await readFile(join(outDir, 'version.json'), 'utf8'));
    expect(version).toEqual({ commit: COMMIT, builtAt: new Date(1_795_000_000_000).toISOString() });
  });

  it('puts every script and stylesheet under assets/ with a content hash in the name', async () => {
    const assets = await readdir(join(outDir, 'assets'));
    expect(assets.length).toBeGreaterThan(0);
    for (const name of assets) expect(name).toMatch(/^[\w.-]+-[A-Za-z0-9_-]{8}\.(js|css)$/);
    expect(assets.some((name) => name.endsWith('.css'))).toBe(true);
    const top = (await readdir(outDir)).sort();
    expect(top).toEqual(['assets', 'favicon.svg', 'index.html', 'version.json']);
  });

  it('serves an index.html with no inline script (CloudFront sends script-src self)', async () => {
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    // Nothing from another origin: the dashboard works offline and under a strict CSP.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('fails with a clear message when DASHBOARD_COMMIT is not a commit sha', async () => {
    const failed = viteBuild(join(workDir, 'bad'), { DASHBOARD_COMMIT: 'main' });
    await expect(failed).rejects.toMatchObject({
      stderr: expect.stringContaining('DASHBOARD_COMMIT is "main", which is not a full 40-hex commit sha'),
    });
  });
});
