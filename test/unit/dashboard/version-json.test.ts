import type { Plugin } from 'vite';
import { describe, expect, it, vi } from 'vitest';
import {
  type GitRevParse,
  resolveVersion,
  serializeVersion,
  VersionResolutionError,
  versionJsonPlugin,
} from '../../../sophia-dashboard/build/version-json.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const OTHER = 'fedcba9876543210fedcba9876543210fedcba98';
const NOW = new Date('2026-11-23T09:32:00.000Z');
const now = () => NOW;
const gitSays =
  (output: string): GitRevParse =>
  async () =>
    output;
const gitFails: GitRevParse = async () => {
  throw new Error('fatal: not a git repository (or any of the parent directories): .git');
};

describe('resolveVersion', () => {
  it('takes the commit from DASHBOARD_COMMIT first, without asking git', async () => {
    const gitRevParse = vi.fn(gitSays(OTHER));
    const version = await resolveVersion({
      env: { DASHBOARD_COMMIT: SHA, GITHUB_SHA: OTHER },
      cwd: '/repo/sophia-dashboard',
      gitRevParse,
      now,
    });
    expect(version).toEqual({ commit: SHA, builtAt: '2026-11-23T09:32:00.000Z' });
    expect(gitRevParse).not.toHaveBeenCalled();
  });

  it('falls back to GITHUB_SHA in a GitHub Actions job', async () => {
    const version = await resolveVersion({
      env: { GITHUB_SHA: OTHER },
      cwd: '/w',
      gitRevParse: gitFails,
      now,
    });
    expect(version.commit).toBe(OTHER);
  });

  it('asks git for HEAD in the dashboard folder when no variable is set', async () => {
    const gitRevParse = vi.fn(gitSays(`${SHA}\n`));
    const version = await resolveVersion({ env: {}, cwd: '/repo/sophia-dashboard', gitRevParse, now });
    expect(version.commit).toBe(SHA);
    expect(gitRevParse).toHaveBeenCalledWith('/repo/sophia-dashboard');
  });

  it('normalises an upper-case sha, since the deploy engine compares exact strings', async () => {
    const version = await resolveVersion({
      env: { DASHBOARD_COMMIT: SHA.toUpperCase() },
      cwd: '/w',
      gitRevParse: gitFails,
      now,
    });
    expect(version.commit).toBe(SHA);
  });

  it('refuses a DASHBOARD_COMMIT that is not a full sha rather than falling back', async () => {
    const attempt = resolveVersion({
      env: { DASHBOARD_COMMIT: 'HEAD~1' },
      cwd: '/w',
      gitRevParse: gitSays(SHA),
      now,
    });
    await expect(attempt).rejects.toThrow(VersionResolutionError);
    await expect(attempt).rejects.toThrow(
      /DASHBOARD_COMMIT is "HEAD~1", which is not a full 40-hex commit sha/,
    );
  });

  it('fails with a message saying how to fix it when no commit is available', async () => {
    const attempt = resolveVersion({ env: {}, cwd: '/tmp/export', gitRevParse: gitFails, now });
    await expect(attempt).rejects.toThrow(
      /cannot tell which commit this build is: DASHBOARD_COMMIT is not set and `git rev-parse HEAD` failed in \/tmp\/export \(fatal: not a git repository/,
    );
    await expect(attempt).rejects.toThrow(/Set DASHBOARD_COMMIT=<40-hex sha>/);
  });

  it('uses SOURCE_DATE_EPOCH as the build time for reproducible builds', async () => {
    const version = await resolveVersion({
      env: { DASHBOARD_COMMIT: SHA, SOURCE_DATE_EPOCH: '1795000000' },
      cwd: '/w',
      gitRevParse: gitFails,
      now,
    });
    expect(version.builtAt).toBe(new Date(1_795_000_000_000).toISOString());
    await expect(
      resolveVersion({
        env: { DASHBOARD_COMMIT: SHA, SOURCE_DATE_EPOCH: 'yesterday' },
        cwd: '/w',
        gitRevParse: gitFails,
        now,
      }),
    ).rejects.toThrow(/SOURCE_DATE_EPOCH/);
  });
});

describe('serializeVersion', () => {
  it('writes exactly { commit, builtAt } as pretty JSON with a trailing newline', () => {
    const text = serializeVersion({ commit: SHA, builtAt: NOW.toISOString() });
    expect(JSON.parse(text)).toEqual({ commit: SHA, builtAt: '2026-11-23T09:32:00.000Z' });
    expect(text.endsWith('}\n')).toBe(true);
  });
});

/** Calls a Rollup/Vite hook whether it is declared as a function or as `{ handler }`. */
async function callHook(hook: unknown, context: object, ...args: unknown[]): Promise<void> {
  const fn = typeof hook === 'function' ? hook : (hook as { handler: (...a: unknown[]) => unknown }).handler;
  await fn.apply(context, args);
}

function fakeBuild(plugin: Plugin, command: 'build' | 'serve' = 'build') {
  const emitted: Array<{ type: string; fileName: string; source: string }> = [];
  const context = {
    emitFile: (file: { type: string; fileName: string; source: string }) => {
      emitted.push(file);
      return 'ref';
    },
    error: (message: string): never => {
      throw new Error(`[plugin ${plugin.name}] ${message}`);
    },
  };
  return {
    emitted,
    async run() {
      await callHook(plugin.configResolved, context, { root: '/repo/sophia-dashboard', command });
      await callHook(plugin.buildStart, context, {});
      await callHook(plugin.generateBundle, context, {}, {}, false);
    },
  };
}

describe('versionJsonPlugin', () => {
  it('emits version.json at the root of the build output', async () => {
    const gitRevParse = vi.fn(gitSays(SHA));
    const build = fakeBuild(versionJsonPlugin({ env: {}, gitRevParse, now }));
    await build.run();
    expect(gitRevParse).toHaveBeenCalledWith('/repo/sophia-dashboard');
    expect(build.emitted).toEqual([
      {
        type: 'asset',
        fileName: 'version.json',
        source: serializeVersion({ commit: SHA, builtAt: NOW.toISOString() }),
      },
    ]);
  });

  it('fails the build, before bundling, when the commit cannot be resolved', async () => {
    const build = fakeBuild(versionJsonPlugin({ env: {}, gitRevParse: gitFails, now }));
    await expect(build.run()).rejects.toThrow(
      /\[plugin sophia-version-json\] cannot tell which commit this build is/,
    );
    expect(build.emitted).toEqual([]);
  });

  it('does not resolve a commit for the dev server build pipeline', async () => {
    const gitRevParse = vi.fn(gitFails);
    const build = fakeBuild(versionJsonPlugin({ env: {}, gitRevParse, now }), 'serve');
    await build.run();
    expect(gitRevParse).not.toHaveBeenCalled();
    expect(build.emitted).toEqual([]);
  });
});
