import { describe, expect, it } from 'vitest';
import { runCli, VERSION } from '../../../agent/src/cli/main.js';
import { captureCli } from '../../support/cli-context.js';

describe('frontendops CLI shell', () => {
  it('prints the version and exits 0', async () => {
    const { ctx, out } = captureCli();
    expect(await runCli(['--version'], ctx)).toBe(0);
    expect(out().trim()).toBe(VERSION);
  });

  it('documents exit codes in --help', async () => {
    const { ctx, out } = captureCli();
    expect(await runCli(['--help'], ctx)).toBe(0);
    expect(out()).toMatch(/Exit codes:[\s\S]*2 {2}bad input[\s\S]*3 {2}refused/);
  });

  it('exits 2 on an unknown flag', async () => {
    const { ctx, err } = captureCli();
    expect(await runCli(['--definitely-not-a-flag'], ctx)).toBe(2);
    expect(err()).toMatch(/unknown option/);
  });
});
