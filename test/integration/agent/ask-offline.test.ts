import { describe, expect, it } from 'vitest';
import { runCli } from './support.js';

/** Help and refusals need no stack and no config. */
describe('frontendops ask without a config', () => {
  it('answers help (exit 0) and refuses a shell command with the list of what it can do (exit 2)', async () => {
    const help = await runCli([
      'ask',
      'what can you do?',
      '--config',
      '/nonexistent/frontendops.config.json',
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^I deploy the Sophia dashboard\. I can:/);

    const hostile = await runCli([
      'ask',
      'deploy latest; rm -rf /',
      '--json',
      '--config',
      '/nonexistent/x.json',
    ]);
    expect(hostile.code).toBe(2);
    expect(JSON.parse(hostile.stdout)).toMatchObject({ status: 'refused', code: 'BAD_INPUT' });
    expect(JSON.parse(hostile.stdout).message).toMatch(/looks like a shell command/);
  });

  it('needs a config for anything that acts, and says so (exit 2)', async () => {
    const run = await runCli(['ask', 'Deploy the latest dashboard', '--config', '/nonexistent/x.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CONFIG_INVALID/);
  });
});
