import { describe, expect, it } from 'vitest';
import { runCli } from '../../../agent/src/cli/main.js';
import { captureCli } from '../../support/cli-context.js';

// Flag validation happens before the demo loads anything, so these run without I/O.
describe('frontendops demo: flags', () => {
  it.each([[['--port', '70000']], [['--port', 'eighty']], [['--port', '0']]])(
    'rejects %j with exit code 2 naming --port',
    async (flags) => {
      const { ctx, out } = captureCli();
      expect(await runCli(['--json', 'demo', ...flags], ctx)).toBe(2);
      const printed = JSON.parse(out()) as { status: string; code: string; message: string };
      expect(printed).toMatchObject({ status: 'refused', code: 'BAD_INPUT' });
      expect(printed.message).toContain('--port');
    },
  );

  it('documents its flags in --help', async () => {
    const { ctx, out } = captureCli();
    expect(await runCli(['demo', '--help'], ctx)).toBe(0);
    for (const flag of ['--repo', '--dir', '--port', '--exit']) expect(out()).toContain(flag);
  });
});
