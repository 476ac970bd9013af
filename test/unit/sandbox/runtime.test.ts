import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFrontendOpsError } from '../../../agent/src/errors.js';
import {
  missingFromRuntime,
  nodeVersionAtLeast,
  resolveEmulatorRuntime,
} from '../../../agent/src/sandbox/runtime.js';
import {
  defaultRuntimeDir,
  runtimeLocation,
  userCacheDir,
} from '../../../agent/src/sandbox/runtime-location.js';

const RUNTIME = '/home/me/.cache/frontendops/sandbox-runtime-linux-x64-0123456789ab';
const FAUXQS_APP = join(RUNTIME, 'node_modules', 'fauxqs', 'dist', 'app.js');
const BUNDLED_NODE = join(RUNTIME, 'node_modules', 'node', 'bin', 'node');
const HINT = 'Run `frontendops sandbox install`.';

const probe = (files: string[], nodeVersion = 'v20.20.2') => ({
  runtimeDir: RUNTIME,
  exists: (path: string) => files.includes(path),
  execPath: '/usr/bin/node',
  nodeVersion,
  platform: 'linux' as const,
});

describe('resolveEmulatorRuntime', () => {
  it("prefers the Node binary of the runtime's own node package", () => {
    expect(resolveEmulatorRuntime(probe([FAUXQS_APP, BUNDLED_NODE], 'v24.1.0'), HINT)).toEqual({
      nodePath: BUNDLED_NODE,
      fauxqsAppUrl: `file://${FAUXQS_APP}`,
    });
  });

  it('falls back to the current Node when it is 22.5 or newer', () => {
    expect(resolveEmulatorRuntime(probe([FAUXQS_APP], 'v22.5.0'), HINT).nodePath).toBe('/usr/bin/node');
  });

  it('fails with SANDBOX_FAILED and the install hint when fauxqs or a new enough Node is missing', () => {
    for (const p of [probe([]), probe([FAUXQS_APP], 'v22.4.1')]) {
      let error: unknown;
      try {
        resolveEmulatorRuntime(p, HINT);
      } catch (e) {
        error = e;
      }
      expect(isFrontendOpsError(error, 'SANDBOX_FAILED')).toBe(true);
      expect((error as { hint?: string }).hint).toContain('frontendops sandbox install');
    }
  });

  it('says what is missing: fauxqs first, then a Node to run it', () => {
    expect(missingFromRuntime(probe([]))).toBe('fauxqs');
    expect(missingFromRuntime(probe([FAUXQS_APP], 'v20.20.2'))).toBe('node');
    expect(missingFromRuntime(probe([FAUXQS_APP, BUNDLED_NODE], 'v20.20.2'))).toBeUndefined();
    expect(missingFromRuntime(probe([FAUXQS_APP], 'v24.0.0'))).toBeUndefined();
  });
});

describe('nodeVersionAtLeast', () => {
  it('compares major and minor', () => {
    expect(nodeVersionAtLeast('v22.5.0', [22, 5])).toBe(true);
    expect(nodeVersionAtLeast('v22.4.9', [22, 5])).toBe(false);
    expect(nodeVersionAtLeast('v23.0.0', [22, 5])).toBe(true);
    expect(nodeVersionAtLeast('20.20.2', [22, 5])).toBe(false);
  });
});

describe('where the runtime lives', () => {
  const base = { env: {}, platform: 'linux' as const, arch: 'x64', home: '/home/me', lockfile: '{"a":1}' };

  it('uses the per-user cache of each platform, honouring an absolute XDG_CACHE_HOME only', () => {
    expect(userCacheDir({ env: {}, platform: 'linux', home: '/home/me' })).toBe('/home/me/.cache');
    expect(
      userCacheDir({ env: { XDG_CACHE_HOME: '/var/cache/me' }, platform: 'linux', home: '/home/me' }),
    ).toBe('/var/cache/me');
    expect(userCacheDir({ env: { XDG_CACHE_HOME: 'rel/cache' }, platform: 'linux', home: '/home/me' })).toBe(
      '/home/me/.cache',
    );
    expect(userCacheDir({ env: {}, platform: 'darwin', home: '/Users/me' })).toBe('/Users/me/Library/Caches');
    expect(userCacheDir({ env: {}, platform: 'win32', home: '/Users/me' })).toBe(
      join('/Users/me', 'AppData', 'Local'),
    );
  });

  it('names the folder after the platform and the lockfile, so a new pin never reuses an old runtime', () => {
    const dir = defaultRuntimeDir(base);
    expect(dir).toMatch(/^\/home\/me\/\.cache\/frontendops\/sandbox-runtime-linux-x64-[0-9a-f]{12}$/);
    expect(defaultRuntimeDir({ ...base, lockfile: '{"a":2}' })).not.toBe(dir);
    expect(defaultRuntimeDir({ ...base, arch: 'arm64' })).not.toBe(dir);
    expect(defaultRuntimeDir(base)).toBe(dir);
  });

  it('takes FRONTENDOPS_SANDBOX_RUNTIME as an explicit folder that is never installed into', () => {
    expect(runtimeLocation({ ...base, env: { FRONTENDOPS_SANDBOX_RUNTIME: '/opt/fo-runtime' } })).toEqual({
      dir: '/opt/fo-runtime',
      explicit: true,
    });
    expect(runtimeLocation(base)).toEqual({ dir: defaultRuntimeDir(base), explicit: false });
  });
});
