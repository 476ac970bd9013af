import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../agent/src/cli/main.js';
import { startSandbox } from '../../../agent/src/sandbox/index.js';
import { captureCli } from '../../support/cli-context.js';
import { createTempGitRepo, type TempGitRepo } from '../../support/git-repo.js';

/** The demo's refusals, in process: they happen before anything is built or deployed. */

const dirs: string[] = [];
const repos: TempGitRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.remove()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('frontendops demo refusals', () => {
  it('exits 2 outside a git repository, naming the directory, and starts no sandbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frontendops-demo-norepo-'));
    dirs.push(dir);
    const { ctx, out } = captureCli({ cwd: dir, env: process.env, now: () => new Date() });
    expect(await runCli(['--json', 'demo', '--exit'], ctx)).toBe(2);
    expect(JSON.parse(out())).toMatchObject({
      status: 'refused',
      code: 'BAD_INPUT',
      message: `${dir} is not inside a git repository`,
    });
    expect(existsSync(join(dir, '.sandbox'))).toBe(false);
  });

  it('exits 3 with SANDBOX_BUSY while another demo serves from the same directory', async () => {
    const repo = await createTempGitRepo();
    repos.push(repo);
    await repo.commit('dashboard: first', { 'sophia-dashboard/index.html': '<h1>one</h1>' });
    const running = await startSandbox({ dir: join(repo.path, '.sandbox', 'demo'), persist: true });
    try {
      const { ctx, out } = captureCli({ cwd: repo.path, env: process.env, now: () => new Date() });
      expect(await runCli(['--json', 'demo', '--exit'], ctx)).toBe(3);
      const printed = JSON.parse(out()) as { code: string; hint: string };
      expect(printed.code).toBe('SANDBOX_BUSY');
      expect(printed.hint).toContain(`kill ${process.pid}`);
    } finally {
      await running.stop();
    }
  });
});
