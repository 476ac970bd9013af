import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';
import { cliEnv, fetchText, headOf, publishSite, ROOT, runCli, tagsIn, todayStamp } from './support.js';

/**
 * The agent against other MCP servers: the official Pulumi MCP server's text-only answers (scripted
 * stand-in), and servers that are missing, crash, hang or answer garbage — with nothing half-deployed.
 */
const { sandbox } = sandboxPerFile({ invalidationDelayMs: 50 });
const SUPPORT = join(ROOT, 'test', 'support', 'mcp');

/** Writes a copy of the sandbox config with some mcpServers entries replaced; returns its path. */
async function configWith(
  servers: Record<string, { command: string; args: string[]; env?: Record<string, string> }>,
  name: string,
) {
  const s = sandbox();
  const config = JSON.parse(await readFile(s.info.configPath, 'utf8')) as {
    mcpServers: Record<string, unknown>;
  };
  for (const [key, entry] of Object.entries(servers)) config.mcpServers[key] = { env: {}, ...entry };
  const path = join(s.info.configPath, '..', `${name}.config.json`);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

async function hostingKeys(): Promise<string[]> {
  const s = sandbox();
  const s3 = sandboxS3Client(s);
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: s.info.hostingBucket }));
    return (page.Contents ?? []).map((o) => o.Key ?? '');
  } finally {
    s3.destroy();
  }
}

describe('MCP servers the agent may meet', () => {
  it('fails clearly, naming the server, and deploys nothing when a server is missing, crashes, hangs or answers garbage', async () => {
    const s = sandbox();
    await publishSite(s, await headOf(s), 'never deployed');
    const misbehaving = join(SUPPORT, 'misbehaving-mcp.mjs');
    const cases: Array<[string, Record<string, { command: string; args: string[] }>, RegExp]> = [
      [
        'missing',
        { github: { command: '/nonexistent/github-mcp', args: [] } },
        /MCP server github: cannot be started: command not found/,
      ],
      [
        'crash',
        { github: { command: process.execPath, args: [misbehaving, 'crash'] } },
        /MCP server github: exited while handling tools\/call list_commits/,
      ],
      [
        'garbage',
        { pulumi: { command: process.execPath, args: [misbehaving, 'garbage'] } },
        /MCP server pulumi: answered garbage/,
      ],
      [
        'exit',
        { pulumi: { command: process.execPath, args: [misbehaving, 'exit-early'] } },
        /MCP server pulumi: exited before completing the MCP handshake/,
      ],
    ];
    for (const [name, servers, message] of cases) {
      const config = await configWith(servers, name);
      const run = await runCli(['ask', 'Deploy the latest dashboard', '--yes', '--config', config]);
      expect(run.code, `${name}: ${run.stderr}`).toBe(1);
      expect(run.stderr, name).toMatch(message);
      expect(run.stderr, name).toMatch(/\[MCP_SERVER_ERROR\]/);
    }
    expect(await hostingKeys()).toEqual([]);
    expect(await tagsIn(s)).toEqual([]);
  });

  it('names a hanging server after the call timeout', async () => {
    const misbehaving = join(SUPPORT, 'misbehaving-mcp.mjs');
    const config = await configWith(
      { pulumi: { command: process.execPath, args: [misbehaving, 'hang-call'] } },
      'hang',
    );
    const run = await runCli(['ask', 'status', '--config', config], {
      env: cliEnv({ FRONTENDOPS_MCP_CALL_TIMEOUT_MS: '1000' }),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /MCP server pulumi: did not answer tools\/call pulumi-cli-stack-output within 1 s/,
    );
  });

  it('works with the official Pulumi MCP server (text-only stack outputs): plan, deploy, tag', async () => {
    const s = sandbox();
    const official = join(SUPPORT, 'official-pulumi-mcp.mjs');
    const config = await configWith(
      {
        pulumi: {
          command: process.execPath,
          args: [official],
          env: { PULUMI_BACKEND_URL: s.info.pulumiBackendUrl },
        },
      },
      'official',
    );
    const head = await headOf(s);
    const plan = await runCli(['ask', 'what would change?', '--json', '--config', config]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ status: 'planned', commit: head, copied: 0 });

    const deployed = await runCli(['ask', 'Deploy the latest dashboard', '--yes', '--config', config]);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain(`dashboard-deploy-${todayStamp()}-1`);
    expect(JSON.parse((await fetchText(`${s.info.edgeUrl}/version.json`)).text).commit).toBe(head);
  });
});
