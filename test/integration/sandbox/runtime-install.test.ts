import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFrontendOpsError } from '../../../agent/src/errors.js';
import { findAgentRoot } from '../../../agent/src/sandbox/paths.js';
import {
  ensureEmulatorRuntime,
  NPM_CI_ARGS,
  type NpmResult,
  type RunNpm,
} from '../../../agent/src/sandbox/runtime-install.js';

const AGENT_ROOT = findAgentRoot();

/** A stand-in for `npm ci`: checks it got the shipped manifest, then lays out what the real one installs. */
function fakeNpm(options: { fail?: NpmResult; delayMs?: number } = {}) {
  const calls: Array<{ args: readonly string[]; cwd: string; manifest: string }> = [];
  const run: RunNpm = async (args, cwd) => {
    calls.push({ args, cwd, manifest: await readFile(join(cwd, 'package-lock.json'), 'utf8') });
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (options.fail) return options.fail;
    await mkdir(join(cwd, 'node_modules', 'fauxqs', 'dist'), { recursive: true });
    await writeFile(join(cwd, 'node_modules', 'fauxqs', 'dist', 'app.js'), 'export function buildApp() {}\n');
    await mkdir(join(cwd, 'node_modules', 'node', 'bin'), { recursive: true });
    await writeFile(join(cwd, 'node_modules', 'node', 'bin', 'node'), '');
    return { code: 0, signal: null, output: 'added 120 packages' };
  };
  return { run, calls };
}

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'fo-runtime-install-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('ensureEmulatorRuntime', () => {
  it('installs a missing runtime once, from the shipped lockfile, with a message saying where and why', async () => {
    const target = join(scratch, 'cache', 'frontendops', 'runtime');
    const npm = fakeNpm();
    const lines: string[] = [];
    const first = await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: {},
      cwd: scratch,
      targetDir: target,
      runNpm: npm.run,
      log: (line) => lines.push(line),
    });
    expect(first).toMatchObject({ dir: target, installed: true });
    expect(first.runtime.nodePath).toBe(join(target, 'node_modules', 'node', 'bin', 'node'));
    expect(first.runtime.fauxqsAppUrl).toBe(
      `file://${join(target, 'node_modules', 'fauxqs', 'dist', 'app.js')}`,
    );
    expect(npm.calls).toHaveLength(1);
    expect(npm.calls[0]?.args).toEqual(NPM_CI_ARGS);
    expect(npm.calls[0]?.manifest).toBe(
      await readFile(join(AGENT_ROOT, 'sandbox-runtime', 'package-lock.json'), 'utf8'),
    );
    // npm ran in a scratch folder beside the target, which is gone now.
    expect(npm.calls[0]?.cwd).not.toBe(target);
    expect(await readdir(join(scratch, 'cache', 'frontendops'))).toEqual(['runtime']);
    expect(lines.join('\n')).toMatch(/Installing the sandbox's S3 emulator \(fauxqs 2\.4\.1.*into .*runtime/);
    expect(lines.join('\n')).toContain('frontendops sandbox install');

    const again = await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: {},
      cwd: scratch,
      targetDir: target,
      runNpm: npm.run,
    });
    expect(again.installed).toBe(false);
    expect(npm.calls).toHaveLength(1);
  });

  it('lets two sandboxes that start at once share one runtime', async () => {
    const target = join(scratch, 'runtime');
    const npm = fakeNpm({ delayMs: 50 });
    const both = await Promise.all(
      [1, 2].map(() =>
        ensureEmulatorRuntime({
          agentRoot: AGENT_ROOT,
          env: {},
          cwd: scratch,
          targetDir: target,
          runNpm: npm.run,
        }),
      ),
    );
    expect(both.map((r) => r.runtime)).toEqual([both[0]?.runtime, both[0]?.runtime]);
    expect(existsSync(join(target, 'node_modules', 'fauxqs', 'dist', 'app.js'))).toBe(true);
    expect(await readdir(scratch)).toEqual(['runtime']);
  });

  it('reports a failed npm ci with its last lines and a hint, and leaves nothing behind', async () => {
    const target = join(scratch, 'runtime');
    const npm = fakeNpm({
      fail: { code: 1, signal: null, output: 'npm error code ENOTFOUND\nnpm error network request failed\n' },
    });
    const error = await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: {},
      cwd: scratch,
      targetDir: target,
      runNpm: npm.run,
    }).catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'SANDBOX_FAILED')).toBe(true);
    expect((error as Error).message).toContain('npm ci exited with code 1: npm error code ENOTFOUND');
    expect((error as { hint?: string }).hint).toMatch(/npm registry.*frontendops sandbox install/);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('says where it could not write, and how to install elsewhere, when the cache folder is unusable', async () => {
    // A file where the cache folder should be: nothing can be created below it.
    await writeFile(join(scratch, 'not-a-folder'), '');
    const error = await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: {},
      cwd: scratch,
      targetDir: join(scratch, 'not-a-folder', 'runtime'),
      runNpm: fakeNpm().run,
    }).catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'SANDBOX_FAILED')).toBe(true);
    expect((error as Error).message).toContain(join(scratch, 'not-a-folder', 'runtime'));
    expect((error as { hint?: string }).hint).toContain('FRONTENDOPS_SANDBOX_RUNTIME=DIR');
  });

  it('never installs into a folder named by FRONTENDOPS_SANDBOX_RUNTIME: a missing runtime there is an error', async () => {
    const npm = fakeNpm();
    const error = await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: { FRONTENDOPS_SANDBOX_RUNTIME: scratch },
      cwd: '/',
      runNpm: npm.run,
    }).catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'SANDBOX_FAILED')).toBe(true);
    expect((error as { hint?: string }).hint).toContain(`frontendops sandbox install --dir ${scratch}`);
    expect(npm.calls).toHaveLength(0);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('uses a complete runtime named by FRONTENDOPS_SANDBOX_RUNTIME as it is', async () => {
    const target = join(scratch, 'elsewhere');
    await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: {},
      cwd: scratch,
      targetDir: target,
      runNpm: fakeNpm().run,
    });
    const npm = fakeNpm();
    const ensured = await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: { FRONTENDOPS_SANDBOX_RUNTIME: 'elsewhere' },
      cwd: scratch,
      runNpm: npm.run,
    });
    expect(ensured).toMatchObject({ dir: target, installed: false });
    expect(npm.calls).toHaveLength(0);
  });

  it('reinstalls over a complete runtime with force, swapping it in whole', async () => {
    const target = join(scratch, 'runtime');
    const npm = fakeNpm();
    await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: {},
      cwd: scratch,
      targetDir: target,
      runNpm: npm.run,
    });
    await writeFile(join(target, 'stale-marker'), '');
    const again = await ensureEmulatorRuntime({
      agentRoot: AGENT_ROOT,
      env: {},
      cwd: scratch,
      targetDir: target,
      runNpm: npm.run,
      force: true,
    });
    expect(again.installed).toBe(true);
    expect(npm.calls).toHaveLength(2);
    expect(existsSync(join(target, 'stale-marker'))).toBe(false);
    expect(await readdir(scratch)).toEqual(['runtime']);
  });
});
