import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../../agent/src/cli/context.js';
import { runCli, VERSION } from '../../../agent/src/cli/main.js';

function fakeContext(): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  stderr.on('data', (chunk) => {
    err += String(chunk);
  });
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: '/nonexistent',
    now: () => new Date('2026-11-23T10:00:00Z'),
    isTTY: false,
    onShutdown: () => () => {},
  };
  return { ctx, out: () => out, err: () => err };
}

describe('frontendops CLI shell', () => {
  it('prints the version and exits 0', async () => {
    const { ctx, out } = fakeContext();
    expect(await runCli(['--version'], ctx)).toBe(0);
    expect(out().trim()).toBe(VERSION);
  });

  it('documents exit codes in --help', async () => {
    const { ctx, out } = fakeContext();
    expect(await runCli(['--help'], ctx)).toBe(0);
    expect(out()).toMatch(/Exit codes:[\s\S]*2 {2}bad input[\s\S]*3 {2}refused/);
  });

  it('exits 2 on an unknown flag', async () => {
    const { ctx, err } = fakeContext();
    expect(await runCli(['--definitely-not-a-flag'], ctx)).toBe(2);
    expect(err()).toMatch(/unknown option/);
  });
});
