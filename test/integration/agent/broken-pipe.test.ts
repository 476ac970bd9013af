import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from './support.js';

/** Runs the CLI with its stdout pipe closed by the reader before the first byte, as `| head` does. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that stops reading (`frontendops … | head`)', () => {
  it('regression: `frontendops --help | head` crashed with an unhandled EPIPE and exit 1', async () => {
    const { code, stderr } = await runWithClosedStdout(['--help']);
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('keeps the exit code of the command itself', async () => {
    const { code, stderr } = await runWithClosedStdout(['no-such-verb']);
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toContain('unknown command');
    expect(code).toBe(2);
  });
});
