import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFrontendOpsError } from '../../../agent/src/errors.js';
import { nodeVersionAtLeast, resolveEmulatorRuntime } from '../../../agent/src/sandbox/runtime.js';

const RUNTIME = '/repo/agent/sandbox-runtime';
const FAUXQS_APP = join(RUNTIME, 'node_modules', 'fauxqs', 'dist', 'app.js');
const BUNDLED_NODE = join(RUNTIME, 'node_modules', 'node', 'bin', 'node');

const probe = (files: string[], nodeVersion = 'v20.20.2') => ({
  runtimeDir: RUNTIME,
  exists: (path: string) => files.includes(path),
  execPath: '/usr/bin/node',
  nodeVersion,
  platform: 'linux' as const,
});

describe('resolveEmulatorRuntime', () => {
  it('prefers the Node the postinstall put in agent/sandbox-runtime', () => {
    expect(resolveEmulatorRuntime(probe([FAUXQS_APP, BUNDLED_NODE], 'v24.1.0'))).toEqual({
      nodePath: BUNDLED_NODE,
      fauxqsAppUrl: `file://${FAUXQS_APP}`,
    });
  });

  it('falls back to the current Node when it is 22.5 or newer', () => {
    expect(resolveEmulatorRuntime(probe([FAUXQS_APP], 'v22.5.0')).nodePath).toBe('/usr/bin/node');
  });

  it('fails with SANDBOX_FAILED and an install hint when fauxqs or a new enough Node is missing', () => {
    for (const p of [probe([]), probe([FAUXQS_APP], 'v22.4.1')]) {
      let error: unknown;
      try {
        resolveEmulatorRuntime(p);
      } catch (e) {
        error = e;
      }
      expect(isFrontendOpsError(error, 'SANDBOX_FAILED')).toBe(true);
      expect((error as { hint?: string }).hint).toMatch(/npm ci.*postinstall/);
    }
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
