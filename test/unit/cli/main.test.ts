import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../agent/src/cli/exit-codes.js';
import { runCli, VERSION } from '../../../agent/src/cli/main.js';
import { captureCli } from '../../support/cli-context.js';

describe('frontendops CLI shell', () => {
  it('prints the version and exits 0', async () => {
    const { ctx, out } = captureCli();
    expect(await runCli(['--version'], ctx)).toBe(0);
    expect(out().trim()).toBe(VERSION);
  });

  it('documents every exit code in --help with the words its answers start with', async () => {
    const { ctx, out } = captureCli();
    expect(await runCli(['--help'], ctx)).toBe(0);
    const help = out().slice(out().indexOf('Exit codes'));
    const rows: Array<[number, RegExp]> = [
      [EXIT.OK, /Deployed … \/ Rolled back … \/ Nothing to do … \/ Dry run — nothing changed/],
      [EXIT.FAILURE, /Failed \[CODE\]/],
      [EXIT.BAD_INPUT, /Refused \[CODE\] …\s+flags, arguments, config/],
      [EXIT.REFUSED, /Refused \[CODE\] … \/ Cancelled — nothing changed/],
      [EXIT.INCOMPLETE, /Incomplete \[RELEASE_INCOMPLETE\]/],
      [EXIT.ROLLED_BACK, /Rolled back \[HEALTH_CHECK_FAILED\]/],
    ];
    for (const [code, words] of rows) {
      const row = help.split(/\n(?= {2}\d {2})/).find((r) => r.trimStart().startsWith(`${code} `));
      expect(row, `exit code ${code}`).toMatch(words);
    }
  });

  it('exits 2 on an unknown flag', async () => {
    const { ctx, err } = captureCli();
    expect(await runCli(['--definitely-not-a-flag'], ctx)).toBe(2);
    expect(err()).toMatch(/unknown option/);
  });

  it('a misspelt command prints the suggestion and one line of usage, not the whole help', async () => {
    const { ctx, err, out } = captureCli();
    expect(await runCli(['stauts'], ctx)).toBe(2);
    expect(err()).toContain("error: unknown command 'stauts'");
    expect(err()).toContain('(Did you mean status?)');
    const lines = err().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^Usage: frontendops \[options\] \[command\]/);
    expect(err()).not.toContain('Commands:');
    expect(out()).toBe('');
  });

  it('a misspelt option of a command names the command in its usage line', async () => {
    const { ctx, err } = captureCli();
    expect(await runCli(['deploy', '--comit', 'abc1234'], ctx)).toBe(2);
    expect(err()).toContain('(Did you mean --commit?)');
    expect(err().trim().split('\n').at(-1)).toMatch(/^Usage: frontendops deploy \[options\]/);
    expect(err()).not.toContain('Options:');
  });

  it('never echoes a token typed as a flag or a --commit value', async () => {
    const token = `ghp_${'t'.repeat(36)}`;
    const flag = captureCli();
    expect(await runCli([`--${token}`], flag.ctx)).toBe(2);
    expect(flag.err()).not.toContain(token);

    const commit = captureCli();
    expect(await runCli(['deploy', '--commit', token, '--yes'], commit.ctx)).toBe(2);
    expect(commit.err()).toMatch(/^Refused \[BAD_INPUT\] --commit is not a commit sha/);
    expect(commit.err()).not.toContain(token);

    const json = captureCli();
    expect(await runCli(['deploy', '--commit', `t_${token}`, '--yes', '--json'], json.ctx)).toBe(2);
    expect(json.out()).not.toContain(token.slice(4));
    expect(JSON.parse(json.out())).toMatchObject({ status: 'refused', code: 'BAD_INPUT' });
  });
});
