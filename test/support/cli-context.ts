import { PassThrough } from 'node:stream';
import type { CliContext } from '../../agent/src/cli/context.js';

export interface CapturedCli {
  ctx: CliContext;
  /** Everything the command wrote to stdout so far. */
  out: () => string;
  /** Everything the command wrote to stderr so far. */
  err: () => string;
}

/** A CliContext for running `runCli` in process: no terminal, a fixed clock, output captured. */
export function captureCli(overrides: Partial<CliContext> = {}): CapturedCli {
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
    ...overrides,
  };
  return { ctx, out: () => out, err: () => err };
}
