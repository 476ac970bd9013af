import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardBuild } from '../../../agent/src/demo/build.js';
import { inspectRepo } from '../../../agent/src/demo/repo.js';
import { createTempGitRepo } from '../../support/git-repo.js';

/**
 * The demo's build step on a real clone of this repository: it builds the commit as committed (never the
 * working tree), with the installed Vite of this checkout, in a scratch folder it removes afterwards.
 */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MARKER = 'UNCOMMITTED-EDIT-7f3a';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('the demo build of a clone with uncommitted edits', () => {
  let work: string;
  let clone: string;
  const builds: DashboardBuild[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'frontendops-demo-build-'));
    clone = join(work, 'project');
    await promisify(execFile)('git', ['clone', '--quiet', '--', ROOT, clone]);
    const header = join(clone, 'sophia-dashboard', 'src', 'components', 'Header', 'Header.tsx');
    await appendFile(header, `\nexport const uncommitted = '${MARKER}';\n`);
    await writeFile(
      join(clone, 'sophia-dashboard', 'src', 'Draft.tsx'),
      `export const draft = '${MARKER}';\n`,
    );
  });

  afterAll(async () => {
    await Promise.all(builds.map((b) => b.remove()));
    await rm(work, { recursive: true, force: true });
  });

  it('sees the uncommitted dashboard paths, and builds the commit without them', async () => {
    const repo = await inspectRepo(join(clone, 'sophia-dashboard'));
    expect(repo.root).toBe(clone);
    expect(repo.uncommitted.sort()).toEqual([
      'sophia-dashboard/src/Draft.tsx',
      'sophia-dashboard/src/components/Header/Header.tsx',
    ]);

    const build = await buildDashboard({ toolRoot: ROOT, repoRoot: clone, commit: repo.commit });
    builds.push(build);
    // Built in a scratch folder of the installed project (its node_modules resolve), not in the clone.
    expect(relative(join(ROOT, '.sandbox', 'demo-builds'), build.siteDir).startsWith('..')).toBe(false);
    const version = JSON.parse(await readFile(join(build.siteDir, 'version.json'), 'utf8'));
    expect(version.commit).toBe(repo.commit);
    const files = await listFiles(build.siteDir);
    expect(files).toContain('index.html');
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      expect(await readFile(join(build.siteDir, file), 'utf8')).not.toContain(MARKER);
    }
    // Nothing was written into the clone.
    expect(existsSync(join(clone, 'sophia-dashboard', 'dist'))).toBe(false);

    // A second build of the same commit, in another scratch folder, has the same file names and bytes
    // except version.json's build time: what makes a re-deploy copy only what changed.
    const again = await buildDashboard({ toolRoot: ROOT, repoRoot: clone, commit: repo.commit });
    builds.push(again);
    expect(again.siteDir).not.toBe(build.siteDir);
    expect(await listFiles(again.siteDir)).toEqual(files);
    for (const file of files.filter((f) => f !== 'version.json')) {
      expect(await readFile(join(again.siteDir, file)), file).toEqual(
        await readFile(join(build.siteDir, file)),
      );
    }

    const scratch = join(build.siteDir, '..');
    await build.remove();
    expect(existsSync(scratch)).toBe(false);
  });

  it('refuses a commit without sophia-dashboard/ and leaves no scratch folder behind', async () => {
    const other = await createTempGitRepo();
    try {
      const sha = await other.commit('docs only', { 'README.md': '# nothing to build\n' });
      const before = existsSync(join(ROOT, '.sandbox', 'demo-builds'))
        ? await readdir(join(ROOT, '.sandbox', 'demo-builds'))
        : [];
      await expect(
        buildDashboard({ toolRoot: ROOT, repoRoot: other.path, commit: sha }),
      ).rejects.toMatchObject({
        code: 'BAD_INPUT',
        message: `commit ${sha.slice(0, 7)} has no sophia-dashboard/`,
      });
      expect(await readdir(join(ROOT, '.sandbox', 'demo-builds'))).toEqual(before);
    } finally {
      await other.remove();
    }
  });
});
