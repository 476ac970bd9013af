import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runChat } from '../../../agent/src/cli/chat.js';
import { runDoctor } from '../../../agent/src/cli/doctor.js';
import { sandboxPerFile } from '../../support/sandbox.js';
import { headOf, leakedSecrets, publishSite, readAudit, testContext } from './support.js';

const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 50 });

async function waitForOutput(out: () => string, text: string, times = 1): Promise<void> {
  while (out().split(text).length - 1 < times) await delay(20);
}

describe('frontendops chat', () => {
  it('answers in turn, asks before deploying (showing the plan), and a Ctrl-C answers "no"', async () => {
    const s = sandbox();
    const head = await headOf(s);
    await publishSite(s, head, 'chat release');
    const { ctx, out, stdin, shutdown } = testContext();
    const chat = runChat(ctx, { config: s.info.configPath });

    await waitForOutput(out, 'frontendops> ');
    stdin.write("what's live?\n");
    await waitForOutput(out, 'nothing deployed yet');

    stdin.write('deploy the latest dashboard\n');
    await waitForOutput(out, '[y/N]');
    expect(out()).toMatch(/Plan: [0-9a-f]{7} → dashboard-hosting-prod[\s\S]*copy 3 file\(s\)/);
    shutdown(); // Ctrl-C at the question: "no"
    await waitForOutput(out, '[CANCELLED]'); // the person's own "no" (issue 10 §4: CANCELLED, not REFUSED)

    stdin.write('deploy the latest dashboard\n');
    await waitForOutput(out, '[y/N]', 2);
    stdin.write('y\n');
    await waitForOutput(out, `Deployed ${head.slice(0, 7)}`);

    stdin.write('rm -rf / please\n');
    await waitForOutput(out, "I can't do that");
    stdin.write('exit\n');
    expect(await chat).toBe(0);

    const audit = await readAudit(dir());
    const chatRequests = audit.flatMap((e) => (e.kind === 'request' && e.trigger === 'chat' ? [e.text] : []));
    expect(chatRequests).toEqual([
      "what's live?",
      'deploy the latest dashboard',
      'deploy the latest dashboard',
      'rm -rf / please',
    ]);
    expect(
      audit.filter((e) => e.kind === 'confirm').map((e) => (e.kind === 'confirm' ? e.approved : null)),
    ).toEqual([false, true]);
    expect(leakedSecrets(out())).toEqual([]);
  });
});

describe('frontendops doctor', () => {
  it('prints ✓ rows with latencies on a healthy sandbox and exits 0', async () => {
    const { ctx, out } = testContext();
    const code = await runDoctor(ctx, { config: sandbox().info.configPath });
    expect(code, out()).toBe(0);
    for (const row of [
      'config',
      'mcp server pulumi',
      'mcp server github',
      'stack outputs',
      'S3 artifacts bucket',
      'S3 hosting bucket',
      'CloudFront',
      'GitHub',
    ]) {
      expect(out()).toMatch(new RegExp(`✓ ${row} +\\d+ ms`));
    }
  });

  it('marks a broken server ✗ with a hint and exits 1; a bad config exits 2', async () => {
    const s = sandbox();
    const config = JSON.parse(await readFile(s.info.configPath, 'utf8'));
    config.mcpServers.github = {
      command: '/nonexistent/github-mcp',
      args: [],
      env: { GITHUB_TOKEN: 'ghp_docTorSecretdocTorSecret0123456789' },
    };
    const broken = join(dir(), 'broken.config.json');
    await writeFile(broken, JSON.stringify(config));
    const { ctx, out } = testContext();
    expect(await runDoctor(ctx, { config: broken })).toBe(1);
    expect(out()).toMatch(/✗ mcp server github .*command not found/);
    expect(out()).toMatch(/hint: Fix mcpServers\.github\.command/);
    expect(out()).toMatch(/✗ GitHub/);
    expect(out()).toMatch(/✓ mcp server pulumi/);
    expect(out()).not.toContain('ghp_docTorSecret');

    const bad = join(dir(), 'bad.config.json');
    await writeFile(bad, '{"stacks": []}');
    const second = testContext();
    expect(await runDoctor(second.ctx, { config: bad, json: true })).toBe(2);
    expect(JSON.parse(second.out())).toMatchObject({
      status: 'failed',
      checks: [{ name: 'config', level: 'fail', code: 'CONFIG_INVALID' }],
    });
  });
});
