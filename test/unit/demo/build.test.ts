import { describe, expect, it } from 'vitest';
import { viteEnv } from '../../../agent/src/demo/build.js';

const C1 = '1'.repeat(40);

describe('viteEnv', () => {
  it('sets DASHBOARD_COMMIT over an inherited one and drops NODE_ENV', () => {
    expect(viteEnv({ PATH: '/usr/bin', NODE_ENV: 'development', DASHBOARD_COMMIT: 'main' }, C1)).toEqual({
      PATH: '/usr/bin',
      DASHBOARD_COMMIT: C1,
    });
  });
});
