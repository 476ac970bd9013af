import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { runAsk } from '../../../agent/src/cli/ask.js';
import { runChat } from '../../../agent/src/cli/chat.js';
import { runCli as runCliInProcess } from '../../../agent/src/cli/main.js';
import type { Sandbox } from '../../../agent/src/sandbox/index.js';
import {
  CLI,
  cliEnv,
  commitDashboardChange,
  fetchText,
  publishSite,
  ROOT,
  readAudit,
  tagMessage,
  tagsIn,
  testContext,
  todayStamp,
} from '../../integration/agent/support.js';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';
import { NON_ACTING } from '../../unit/agent/phrasings.js';

/**
 * Issue 11 §1 end to end: the sandbox, both MCP servers as real child processes, the real CLI. With
 * two releases live-able and a newer build waiting, every non-acting phrasing of the table is sent —
 * through `chat --yes` in one session, the observed commands through the CLI binary, the model path
 * and the agent's MCP server — and neither bucket changes (listings and ETags before and after).
 */
const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 50 });

type Listings = Record<string, Record<string, string>>;

async function listings(s3: S3Client, s: Sandbox): Promise<Listings> {
  const out: Listings = {};
  for (const bucket of [s.info.artifactsBucket, s.info.hostingBucket]) {
    const keys: Record<string, string> = {};
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys[o.Key ?? ''] = o.ETag ?? '';
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    out[bucket] = keys;
  }
  return out;
}

async function liveCommit(s: Sandbox): Promise<string> {
  return JSON.parse((await fetchText(`${s.info.edgeUrl}/version.json`)).text).commit;
}

async function waitFor(out: () => string, text: string): Promise<void> {
  while (!out().includes(text)) await delay(20);
}

/**
 * The CLI in this process (argv parsing, commands, printing and exit codes as the binary has them),
 * so that a dozen commands do not each pay for starting Node; the MCP servers are still real child
 * processes. The binary itself is exercised by the `frontendops mcp` step below.
 */
async function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = testContext(options.env ?? cliEnv());
  run.stdin.end();
  const code = await runCliInProcess(args, run.ctx);
  return { code, stdout: run.out(), stderr: run.err() };
}

describe('words that never act by surprise, on the sandbox', () => {
  // A deadline for a loaded machine (two cores shared by many test runs), not a speed claim.
  it('no non-acting phrasing changes either bucket, whatever the entry point', {
    timeout: 900_000,
  }, async () => {
    const s = sandbox();
    const config = s.info.configPath;
    const stamp = todayStamp();
    const first = await commitDashboardChange(s, 'one.txt', 'Dashboard: release one');
    await publishSite(s, first, 'release one');
    const second = await commitDashboardChange(s, 'two.txt', 'Dashboard: release two');
    await publishSite(s, second, 'release two');
    expect((await runCli(['--config', config, 'deploy', '--commit', first, '--yes'])).code).toBe(0);
    expect((await runCli(['--config', config, 'deploy', '--yes'])).code).toBe(0);
    // A newer build waits, so that any deploy or rollback would change something.
    const third = await commitDashboardChange(s, 'three.txt', 'Dashboard: release three');
    await publishSite(s, third, 'release three');

    const s3 = sandboxS3Client(s);
    try {
      const before = await listings(s3, s);
      const tagsBefore = await tagsIn(s);
      expect(await liveCommit(s)).toBe(second);

      // 1. Every non-acting phrasing, one chat session, with --yes (which must not matter).
      const chat = testContext();
      const done = runChat(chat.ctx, { config, yes: true });
      await waitFor(chat.out, 'frontendops> ');
      for (const [text] of NON_ACTING) chat.stdin.write(`${text}\n`);
      chat.stdin.write('exit\n');
      expect(await done).toBe(0);
      expect(chat.out()).toContain('Dry run — nothing changed.');
      expect(chat.out()).toContain('Refused [AMBIGUOUS_REQUEST]');
      expect(chat.out()).not.toMatch(/^(?:Deployed|Rolled back) /m);

      // `chat --dry-run`: even plain orders are only planned.
      const dryChat = testContext();
      const dryDone = runChat(dryChat.ctx, { config, yes: true, dryRun: true });
      await waitFor(dryChat.out, 'frontendops> ');
      dryChat.stdin.write('roll back\nDeploy the latest dashboard\nexit\n');
      expect(await dryDone).toBe(0);
      expect(dryChat.out().split('Dry run — nothing changed.')).toHaveLength(3);

      // 2. The commands observed to act (issue 11 §1), through the real binary, with --yes.
      const run = (args: string[]) => runCli(['--config', config, ...args]);
      const rollbackDry = await run(['rollback', '--dry-run', '--yes']);
      expect(rollbackDry.code, rollbackDry.stderr).toBe(0);
      expect(rollbackDry.stdout).toMatch(/^Dry run — nothing changed\./);
      // The plan names both releases and the target's own commit subject.
      expect(rollbackDry.stdout).toContain(
        `Roll back dashboard-hosting-prod from dashboard-deploy-${stamp}-2 (${second.slice(0, 7)}) ` +
          `to dashboard-deploy-${stamp}-1 (${first.slice(0, 7)}) "Dashboard: release one"`,
      );
      for (const text of [
        'dry run a rollback',
        'what would change if I roll back?',
        'why did the last rollback happen?',
      ]) {
        const asked = await run(['ask', text, '--yes']);
        expect(asked.code, `${text}: ${asked.stderr}`).toBe(0);
        expect(asked.stdout, text).not.toMatch(/^(?:Deployed|Rolled back) /m);
      }
      const negated = await run(['ask', `Deploy the latest dashboard, not ${third.slice(0, 8)}`, '--yes']);
      expect(negated.code).toBe(3);
      expect(negated.stderr).toMatch(/^Refused \[AMBIGUOUS_REQUEST\] .*not .*Nothing changed/);
      const askDry = await run(['ask', 'roll back', '--dry-run', '--yes']);
      expect(askDry.code, askDry.stderr).toBe(0);
      expect(askDry.stdout).toMatch(/^Dry run — nothing changed\./);
      const deployDry = await run(['deploy', '--dry-run', '--yes', '--json']);
      expect(JSON.parse(deployDry.stdout)).toMatchObject({ status: 'planned', commit: third });

      // 3. The model path: a model that tries to act on a question is refused by the flow.
      for (const [text, call] of [
        ['what would change if I roll back?', { name: 'rollback_dashboard', args: {} }],
        [`Deploy the latest dashboard, not ${third.slice(0, 8)}`, { name: 'deploy_dashboard', args: {} }],
        ['is it safe to deploy?', { name: 'deploy_dashboard', args: { commit: third } }],
      ] as const) {
        const model = fakeModel().respondWithTools([call]).respond(new AIMessage('Done.'));
        const asked = testContext();
        expect(await runAsk(asked.ctx, text, { config, yes: true }, { model })).toBe(0);
        const toolAnswer = (model.calls.at(-1)?.messages ?? []).find((m) => ToolMessage.isInstance(m));
        expect(String(toolAnswer?.content), text).toMatch(
          /^Refused \[REFUSED\] not (?:deploying|rolling back)/,
        );
      }

      // 4. The agent's MCP server: rollback_dashboard with dryRun plans and changes nothing.
      const client = new Client({ name: 'words-test', version: '1.0.0' });
      const env = Object.fromEntries(
        Object.entries(cliEnv()).filter((e): e is [string, string] => e[1] !== undefined),
      );
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI, 'mcp', '--config', config],
          env,
          cwd: ROOT,
          stderr: 'pipe',
        }),
      );
      try {
        const started = await client.callTool({ name: 'rollback_dashboard', arguments: { dryRun: true } });
        const id = String((started.structuredContent as { deploymentId: string }).deploymentId);
        let job: Record<string, unknown>;
        for (;;) {
          const polled = await client.callTool({
            name: 'get_deployment_status',
            arguments: { deploymentId: id },
          });
          job = polled.structuredContent as Record<string, unknown>;
          if (job.status !== 'running') break;
          await delay(100);
        }
        expect(job).toMatchObject({ status: 'planned', summary: 'Dry run — nothing changed. The plan:' });
      } finally {
        await client.close();
      }

      // Nothing changed anywhere — but for the one record of that MCP request: a deploy job (issue 13:
      // any agent instance answers for any job), under the reserved jobs/ prefix, saying it only planned.
      const after = await listings(s3, s);
      const artifacts = after[s.info.artifactsBucket] ?? {};
      const jobKeys = Object.keys(artifacts).filter(
        (k) => k.startsWith('jobs/') && !(k in (before[s.info.artifactsBucket] ?? {})),
      );
      expect(jobKeys).toHaveLength(1);
      const record = await s3.send(
        new GetObjectCommand({ Bucket: s.info.artifactsBucket, Key: jobKeys[0] as string }),
      );
      expect(JSON.parse((await record.Body?.transformToString('utf8')) ?? '{}')).toMatchObject({
        kind: 'rollback',
        status: 'planned',
        trigger: 'mcp',
      });
      for (const key of jobKeys) delete artifacts[key];
      expect(after).toEqual(before);
      expect(await tagsIn(s)).toEqual(tagsBefore);
      expect(await liveCommit(s)).toBe(second);
      const audit = await readAudit(dir());
      expect(audit.filter((e) => e.kind === 'confirm' && e.approved)).toHaveLength(2);
    } finally {
      s3.destroy();
    }
  });

  it('never records, tags or prints a token-shaped requester or --commit', async () => {
    const s = sandbox();
    const config = s.info.configPath;
    const token = `ghp_${'R'.repeat(36)}`;
    const echoed = await runCli(['--config', config, 'deploy', '--commit', token, '--yes']);
    expect(echoed.code).toBe(2);
    expect(echoed.stderr).toMatch(/^Refused \[BAD_INPUT\] --commit is not a commit sha/);
    expect(echoed.stdout + echoed.stderr).not.toContain(token.slice(4));

    // Observed: a token-shaped FRONTENDOPS_REQUESTER was stored raw in the release record and the tag.
    const next = await commitDashboardChange(s, 'four.txt', 'Dashboard: release four');
    await publishSite(s, next, 'release four');
    const deployed = await runCli(['--config', config, 'deploy', '--yes'], {
      env: cliEnv({ FRONTENDOPS_REQUESTER: `t_${token}` }),
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    const s3 = sandboxS3Client(s);
    try {
      const record = await s3.send(
        new GetObjectCommand({
          Bucket: s.info.artifactsBucket,
          Key: 'releases/dashboard-hosting-prod/current.json',
        }),
      );
      const text = await record.Body?.transformToString();
      expect(JSON.parse(text ?? '{}')).toMatchObject({ commit: next, requestedBy: 't_[REDACTED]' });
    } finally {
      s3.destroy();
    }
    const tag = (await tagsIn(s)).find((t) => t.sha === next);
    const message = await tagMessage(s, tag?.name ?? '');
    expect(message).toContain('requested by t_[REDACTED]');
    const log = await readFile(join(dir(), 'audit.jsonl'), 'utf8');
    for (const text of [message, log, deployed.stdout, deployed.stderr]) {
      expect(text).not.toContain(token.slice(4));
    }

    // An invalid FRONTENDOPS_REQUESTER is a configuration error that names the variable.
    const bad = await runCli(['--config', config, 'status'], {
      env: cliEnv({ FRONTENDOPS_REQUESTER: 'ana\u001b[2J' }),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Refused \[CONFIG_INVALID\] FRONTENDOPS_REQUESTER contains control/);
  });
});
