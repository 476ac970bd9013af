import { describe, expect, it } from 'vitest';
import { sandboxPerFile } from '../../support/sandbox.js';
import {
  commitDashboardChange,
  headOf,
  publishSite,
  readAudit,
  runCli,
  tagsIn,
  todayStamp,
} from './support.js';

/** `frontendops deploy` ends in the same pipeline as `ask`: through both MCP servers. */
const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 50 });

describe('frontendops deploy through the MCP tool layer', () => {
  it('deploys the latest build without --commit, tags it via github, and audits the MCP calls', async () => {
    const s = sandbox();
    const head = await headOf(s);
    await publishSite(s, head, 'deploy command');
    const run = await runCli(['--config', s.info.configPath, 'deploy', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'deployed', commit: head });
    expect(await tagsIn(s)).toEqual([{ name: `dashboard-deploy-${todayStamp()}-1`, sha: head }]);

    const audit = await readAudit(dir());
    expect(audit[0]).toMatchObject({ kind: 'request', trigger: 'cli', text: 'deploy' });
    const calls = audit.flatMap((e) => (e.kind === 'tool_call' ? [`${e.server}/${e.tool}`] : []));
    expect(calls).toEqual(
      expect.arrayContaining([
        'pulumi/pulumi-cli-stack-output',
        'pulumi/invalidate_cdn',
        'github/create_tag',
      ]),
    );

    // A short sha is expanded by the github server; the commit is live, so this is a no-op.
    const again = await runCli([
      '--config',
      s.info.configPath,
      'deploy',
      '--commit',
      head.slice(0, 9),
      '--dry-run',
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'noop', commit: head });

    // A new build, without --yes and without a terminal: refused (exit 3), nothing changed.
    const next = await commitDashboardChange(s, 'next.txt', 'Dashboard: next');
    await publishSite(s, next, 'next');
    const refused = await runCli(['--config', s.info.configPath, 'deploy']);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/REFUSED/);
    expect(await tagsIn(s)).toHaveLength(1);
  });
});
