import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../../agent/src/audit/trail.js';
import { publishCommandThroughMcp } from '../../../agent/src/cli/publish.js';
import { generateSite, writeSite } from '../../support/builds.js';
import { captureCli } from '../../support/cli-context.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import { FakeS3 } from '../../support/fake-s3.js';
import { rejectionOf } from '../../support/rejection.js';
import {
  ARTIFACTS,
  fakePulumiServer,
  HOSTING,
  inMemoryConnections,
  pulumiState,
  SYNC_COMMAND,
} from '../agent/fakes.js';

/**
 * Regression: `frontendops publish` read stack outputs only from a file:// state and refused the s3://
 * and Pulumi Cloud backends the build workflow uses. It now reads them through the pulumi MCP server:
 * here a Pulumi Cloud stack, a fake pulumi server at the MCP client boundary, and an in-memory S3
 * (aws-sdk-client-mock). No github server exists in these tests: publish must never start one.
 */
const VICTIM = 'someone-elses-bucket';
let scratch: string;
let configPath: string;
let site: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-publish-unit-'));
  configPath = join(scratch, 'frontendops.config.json');
  await writeFile(
    configPath,
    JSON.stringify({
      stacks: [
        {
          name: 'dashboard-hosting-prod',
          workDir: 'stacks/dashboard-hosting-prod',
          backend: { kind: 'cloud', organization: 'sophia-ai' },
          aws: { region: 'eu-west-1' },
        },
      ],
      github: { owner: 'sophia-ai', repo: 'sophia' },
      auditLogPath: 'audit.jsonl',
      mcpServers: {
        pulumi: { command: 'frontendops-pulumi-mcp', args: [] },
        github: { command: 'frontendops-github-mcp', args: [] },
      },
    }),
  );
  site = join(scratch, 'dist');
  await writeSite(site, generateSite({ files: 20, version: 1, commit: commitSha(1) }));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function harness(outputs: Record<string, unknown>) {
  const s3 = new FakeS3([ARTIFACTS, HOSTING, VICTIM]);
  s3.put(VICTIM, 'data/record-1.csv', 'row 1');
  s3.put(HOSTING, 'index.html', '<html>live</html>');
  const pulumi = pulumiState(outputs);
  const asked: string[] = [];
  const servers = inMemoryConnections({ pulumi: () => fakePulumiServer(pulumi) });
  const connections = {
    get: (name: string) => {
      asked.push(name);
      return servers.get(name);
    },
    closeAll: () => servers.closeAll(),
  };
  const audit = new MemoryAuditSink();
  const { ctx, err } = captureCli({ cwd: scratch, env: { USER: 'builder' } });
  const run = (commit = commitSha(1)) =>
    publishCommandThroughMcp(
      ctx,
      { config: configPath, dir: 'dist', commit, quiet: true },
      { connections, s3: s3.client, auditSink: audit },
    );
  const listing = (bucket: string) =>
    [...s3.bucket(bucket).entries()].map(([key, object]) => `${key} ${object.etag}`).sort();
  return { s3, pulumi, asked, audit, err, run, listing };
}

describe('frontendops publish on a Pulumi Cloud stack', () => {
  it('publishes into the artifacts bucket the pulumi MCP server names, starting no github server', async () => {
    const h = harness({ syncCommand: SYNC_COMMAND, artifactsBucket: ARTIFACTS, hostingBucket: HOSTING });
    const hostingBefore = h.listing(HOSTING);
    const { report, bucket } = await h.run();

    expect(bucket).toBe(ARTIFACTS);
    expect(report).toMatchObject({ status: 'published', commit: commitSha(1), files: 20, uploaded: 20 });
    expect(h.s3.text(ARTIFACTS, `builds/${commitSha(1)}/build.json`)).toBeDefined();
    expect(h.listing(ARTIFACTS).filter((k) => k.startsWith(`builds/${commitSha(1)}/site/`))).toHaveLength(20);
    expect(h.listing(HOSTING)).toEqual(hostingBefore);
    expect(h.s3.calls.every((c) => c.bucket === ARTIFACTS)).toBe(true);

    expect(h.pulumi.calls).toEqual([
      {
        tool: 'pulumi-cli-stack-output',
        args: {
          workDir: join(scratch, 'stacks/dashboard-hosting-prod'),
          stackName: 'dashboard-hosting-prod',
        },
      },
    ]);
    expect(new Set(h.asked)).toEqual(new Set(['pulumi']));
    const kinds = h.audit.entries.map((e) => e.kind);
    expect(kinds).toEqual(['request', 'tool_call', 'result']);
    expect(h.audit.entries[0]).toMatchObject({ trigger: 'cli', requester: 'builder' });
    expect(h.audit.entries[2]).toMatchObject({ status: 'published', commit: commitSha(1) });
  });

  it('refuses outputs naming a foreign artifacts bucket before any S3 request; every bucket unchanged', async () => {
    const foreign = `aws s3 sync s3://${VICTIM}/builds/{commit}/site/ s3://${HOSTING}/ --delete`;
    const h = harness({ syncCommand: foreign, artifactsBucket: ARTIFACTS, hostingBucket: HOSTING });
    const before = [ARTIFACTS, HOSTING, VICTIM].map(h.listing);
    const error = await rejectionOf(h.run());
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(error.message).toContain(VICTIM);
    expect(h.s3.calls).toEqual([]);
    expect([ARTIFACTS, HOSTING, VICTIM].map(h.listing)).toEqual(before);
    expect(h.audit.entries.at(-1)).toMatchObject({
      kind: 'result',
      status: 'refused',
      code: 'SYNC_COMMAND_MISMATCH',
    });
  });

  it('refuses a stack without bucket outputs: a syncCommand that cannot be checked is not trusted', async () => {
    const h = harness({ syncCommand: SYNC_COMMAND });
    const error = await rejectionOf(h.run());
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(h.s3.calls).toEqual([]);
  });

  it('refuses a malformed --commit before any server starts, without echoing it', async () => {
    const h = harness({ syncCommand: SYNC_COMMAND, artifactsBucket: ARTIFACTS, hostingBucket: HOSTING });
    const typed = `ghp_${'x'.repeat(36)}`;
    const error = await rejectionOf(h.run(typed));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).not.toContain(typed);
    expect(h.asked).toEqual([]);
    expect(h.s3.calls).toEqual([]);
  });
});
