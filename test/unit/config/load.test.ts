import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, selectStack } from '../../../agent/src/config/load.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';

const minimal = {
  stacks: [{ name: 'dashboard-hosting-prod', backend: { kind: 'state', url: 'file:///tmp/state' } }],
  github: { owner: 'sophia-ai', repo: 'sophia' },
};

describe('config', () => {
  it('fills the documented defaults', () => {
    const config = parseConfig(minimal);
    expect(config.keepReleases).toBe(3);
    expect(config.github.dashboardPath).toBe('sophia-dashboard/');
    expect(config.github.tagPrefix).toBe('dashboard-deploy-');
    expect(config.stacks[0]?.aws.region).toBe('us-east-1');
    expect(config.servers).toEqual({ pulumi: 'pulumi', github: 'github' });
  });

  it('names a wrong field by its path', () => {
    const bad = { ...minimal, stacks: [{ name: 42, backend: { kind: 'state', url: 'file:///x' } }] };
    expect(() => parseConfig(bad)).toThrowError(/stacks\[0\]\.name: .*expected string/i);
  });

  it('rejects unknown fields instead of ignoring a typo', () => {
    expect(() => parseConfig({ ...minimal, keepRelease: 5 })).toThrowError(/keepRelease/);
  });

  it('reports unreadable and non-JSON files with CONFIG_INVALID', async () => {
    const missing = loadConfig('nope.json', {
      cwd: '/x',
      readFile: () => Promise.reject(new Error('ENOENT')),
    });
    await expect(missing).rejects.toSatisfy((e) => isFrontendOpsError(e, 'CONFIG_INVALID'));
    const garbage = loadConfig('c.json', { cwd: '/x', readFile: () => Promise.resolve('{ nope') });
    await expect(garbage).rejects.toThrowError(/not valid JSON/);
  });

  it('selects the only stack, or the named one, or says which exist', () => {
    const config = parseConfig(minimal);
    expect(selectStack(config, undefined).name).toBe('dashboard-hosting-prod');
    expect(() => selectStack(config, 'staging')).toThrowError(/no stack named staging/);
  });
});
