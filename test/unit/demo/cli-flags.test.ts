import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../../agent/src/cli/context.js';
import { runCli } from '../../../agent/src/cli/main.js';

/** Flag validation happens before the demo loads anything, so these run without I/O. */
function fakeContext(): { ctx: CliContext; out: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => {
    out += String(chunk);
  });
  const ctx: CliContext = {
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: {},
    cwd: '/nonexistent',
    now: () => new Date('2026-11-23T10:00:00Z'),
    isTTY: false,
    onShutdown: () => () => {},
  };
  return { ctx, out: () => out };
}

describe('frontendops demo: flags', () => {
  it.each([[['--port', '70000']], [['--port', 'eighty']], [['--port', '0']]])(
    'rejects %j with exit code 2 naming --port',
    async (flags) => {
      const { ctx, out } = fakeContext();
      expect(await runCli(['--json', 'demo', ...flags], ctx)).toBe(2);
      const printed = JSON.parse(out()) as { status: string; code: string; message: string };
      expect(printed).toMatchObject({ status: 'failed', code: 'BAD_INPUT' });
      expect(printed.message).toContain('--port');
    },
  );

  it('documents its flags in --help', async () => {
    const { ctx, out } = fakeContext();
    expect(await runCli(['demo', '--help'], ctx)).toBe(0);
    for (const flag of ['--repo', '--dir', '--port', '--exit']) expect(out()).toContain(flag);
  });
});
