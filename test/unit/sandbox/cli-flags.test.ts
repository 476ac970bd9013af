import { describe, expect, it } from 'vitest';
import { runCli } from '../../../agent/src/cli/main.js';
import { captureCli } from '../../support/cli-context.js';

// Flag validation happens before anything starts, so these run without I/O.
describe('frontendops sandbox start: flags', () => {
  it.each([
    [['--fault-rate', '1.5'], '--fault-rate'],
    [['--fault-rate', 'often'], '--fault-rate'],
    [['--latency-ms', '-5'], '--latency-ms'],
    [['--latency-ms', '2.5'], '--latency-ms'],
    [['--port', '70000'], '--port'],
    [['--invalidation-delay-ms', 'soon'], '--invalidation-delay-ms'],
  ])('rejects %j with exit code 2 and names %s', async (flags, name) => {
    const { ctx, out } = captureCli();
    expect(await runCli(['--json', 'sandbox', 'start', ...flags], ctx)).toBe(2);
    const printed = JSON.parse(out()) as { status: string; code: string; message: string };
    expect(printed).toMatchObject({ status: 'refused', code: 'BAD_INPUT' });
    expect(printed.message).toContain(name);
  });

  it('documents the flags in --help', async () => {
    const { ctx, out } = captureCli();
    expect(await runCli(['sandbox', 'start', '--help'], ctx)).toBe(0);
    for (const flag of [
      '--dir',
      '--latency-ms',
      '--fault-rate',
      '--invalidation-delay-ms',
      '--port',
      '--repo-source',
      '--persist',
    ]) {
      expect(out()).toContain(flag);
    }
  });
});
