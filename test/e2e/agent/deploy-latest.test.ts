import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releasePointerFromTagMessage } from '../../../agent/src/agent/tagging.js';
import { readBuildManifest } from '../../../agent/src/deploy/manifest.js';
import { readCurrentRelease } from '../../../agent/src/deploy/releases.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import {
  cliEnv,
  commitDashboardChange,
  fetchText,
  headOf,
  leakedSecrets,
  PLANTED,
  publishSite,
  readAudit,
  runCli,
  tagMessage,
  tagsIn,
  todayStamp,
} from '../../integration/agent/support.js';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';

/**
 * Issue 6 "Done when", end to end: the real CLI binary, both MCP servers as real child processes, the
 * sandbox's S3, edge and CloudFront API, and its scratch git repository for tags.
 */
const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 100 });

describe('frontendops ask "Deploy the latest dashboard" on the sandbox', () => {
  it('deploys, no-ops, deploys a new commit, and rolls back — tagging and auditing each step', async () => {
    const s = sandbox();
    const config = s.info.configPath;
    const env = cliEnv();
    const stamp = todayStamp();
    const transcript: string[] = [];
    const ask = async (text: string) => {
      const run = await runCli(['ask', text, '--yes', '--config', config], { env });
      transcript.push(run.stdout, run.stderr);
      return run;
    };

    // The sandbox's repo starts with one dashboard commit; give it a build.
    const first = await headOf(s);
    await publishSite(s, first, 'release one');

    // 1. Deploy the latest dashboard.
    const deployed = await ask('Deploy the latest dashboard');
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain(`Deployed ${first.slice(0, 7)}`);
    expect(deployed.stdout).toContain(`dashboard-deploy-${stamp}-1`);
    const version1 = await fetchText(`${s.info.edgeUrl}/version.json`);
    expect(JSON.parse(version1.text).commit).toBe(first);
    const index1 = (await fetchText(`${s.info.edgeUrl}/`)).text;
    expect(index1).toContain('release one');
    expect(await tagsIn(s)).toEqual([{ name: `dashboard-deploy-${stamp}-1`, sha: first }]);
    const release1 = releasePointerFromTagMessage(await tagMessage(s, `dashboard-deploy-${stamp}-1`));
    expect(release1?.commit).toBe(first);
    expect(release1?.trigger).toBe('cli');
    expect(release1?.requestedBy).toBe('release-manager');

    // The audit log tells the whole story of that request.
    const audit1 = await readAudit(dir());
    const requestId = audit1.find((e) => e.kind === 'request')?.requestId;
    const story = audit1.filter((e) => e.requestId === requestId);
    expect(story[0]).toMatchObject({
      kind: 'request',
      trigger: 'cli',
      requester: 'release-manager',
      text: 'Deploy the latest dashboard',
    });
    const calls = story.flatMap((e) =>
      e.kind === 'tool_call' ? [`${e.server}/${e.tool}:${e.outcome}`] : [],
    );
    expect(calls).toEqual(
      expect.arrayContaining([
        'pulumi/pulumi-cli-stack-output:ok',
        'github/list_commits:ok',
        'pulumi/invalidate_cdn:ok',
        'github/next_deploy_tag:ok',
        'github/create_tag:ok',
        'engine/run_deploy:ok',
      ]),
    );
    expect(story.some((e) => e.kind === 'plan' && e.commit === first)).toBe(true);
    expect(story.find((e) => e.kind === 'confirm')).toMatchObject({ approved: true, by: '--yes' });
    expect(story.at(-1)).toMatchObject({
      kind: 'result',
      status: 'deployed',
      commit: first,
      tag: `dashboard-deploy-${stamp}-1`,
    });

    // 2. Asking again is a no-op that says the commit is live; no new tag.
    const again = await ask('deploy the latest dashboard');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`${first.slice(0, 7)}.* is already live`));
    expect(await tagsIn(s)).toHaveLength(1);

    // 3. A new commit with a build → -2.
    // Its message carries planted secrets (a token-shaped one and one with no shape): the agent prints
    // commit subjects, and must not print these.
    const second = await commitDashboardChange(
      s,
      'chart.txt',
      `Dashboard: new chart ${PLANTED.GITHUB_TOKEN} ${PLANTED.FRONTENDOPS_TEST_API_KEY}`,
    );
    await publishSite(s, second, 'release two');
    const deployed2 = await ask('ship the newest dashboard');
    expect(deployed2.code, deployed2.stderr).toBe(0);
    expect(deployed2.stdout).toContain(`dashboard-deploy-${stamp}-2`);
    expect(deployed2.stdout).toContain('"Dashboard: new chart [REDACTED] [REDACTED]"');
    expect(JSON.parse((await fetchText(`${s.info.edgeUrl}/version.json`)).text).commit).toBe(second);
    expect((await fetchText(`${s.info.edgeUrl}/`)).text).toContain('release two');

    // 4. "roll back" restores the previous release exactly and tags it.
    const rolled = await ask('roll back');
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toContain(
      `Rolled back dashboard-hosting-prod from dashboard-deploy-${stamp}-2 (${second.slice(0, 7)}) ` +
        `to dashboard-deploy-${stamp}-1 (${first.slice(0, 7)})`,
    );
    expect(rolled.stdout).toContain(`dashboard-deploy-${stamp}-3`);
    expect(JSON.parse((await fetchText(`${s.info.edgeUrl}/version.json`)).text).commit).toBe(first);
    expect((await fetchText(`${s.info.edgeUrl}/`)).text).toBe(index1);
    const tags = await tagsIn(s);
    expect(tags).toContainEqual({ name: `dashboard-deploy-${stamp}-3`, sha: first });
    const release3 = releasePointerFromTagMessage(await tagMessage(s, `dashboard-deploy-${stamp}-3`));
    // a rollback keeps its origin as trigger and says what it was as its kind (issue 10 §3)
    expect(release3).toMatchObject({ kind: 'rollback', trigger: 'cli', commit: first });
    // the rolled-back release lists exactly the files of the first build
    const s3 = sandboxS3Client(s);
    const sync = parseSyncCommand(
      `aws s3 sync s3://${s.info.artifactsBucket}/builds/{commit}/site/ s3://${s.info.hostingBucket}/ --delete`,
    );
    const live = await readCurrentRelease(s3, s.info.artifactsBucket, 'dashboard-hosting-prod');
    const build1 = await readBuildManifest(s3, sync, first);
    expect(live?.files.map((f) => [f.path, f.sha256])).toEqual(
      build1?.files.map((f) => [f.path, f.sha256]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    s3.destroy();

    // No planted secret anywhere: not in the audit log, not on stdout or stderr.
    const auditText = await readFile(join(dir(), 'audit.jsonl'), 'utf8');
    expect(leakedSecrets(auditText)).toEqual([]);
    expect(leakedSecrets(transcript.join('\n'))).toEqual([]);
  });
});
