import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GithubTools } from '../../../agent/src/agent/github.js';
import { releasePointerFromTagMessage, tagRelease } from '../../../agent/src/agent/tagging.js';
import { ToolLayer } from '../../../agent/src/agent/tool-layer.js';
import { AuditTrail, MemoryAuditSink } from '../../../agent/src/audit/trail.js';
import { parseConfig } from '../../../agent/src/config/load.js';
import { noSteps } from '../../../agent/src/deploy/journal.js';
import { type ReleaseRecord, ReleaseRecordSchema } from '../../../agent/src/deploy/schemas.js';
import { connectMcpServer, type McpServerConnection } from '../../../agent/src/mcp/client.js';
import { MAX_TAG_MESSAGE_LENGTH } from '../../../agent/src/mcp/github/validate.js';
import { createTempGitRepo, type TempGitRepo } from '../../support/git-repo.js';

/**
 * Regression (issue 10 §3): a 4,000-file site went live, then failed at tagging on every retry with
 * "message is longer than 1000000 characters" — the tag carried the whole release record. The tag now
 * carries a bounded summary and a pointer to the record: a 50,000-file release (synthetic manifest)
 * tags through the real github MCP server (stdio, git backend) on a real git repository.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const settings = parseConfig({
  stacks: [{ name: 'dashboard-hosting-prod', backend: { kind: 'state', url: 'file:///tmp/s' } }],
  github: { owner: 'sophia-ai', repo: 'sophia' },
}).github;
let repo: TempGitRepo;
let connection: McpServerConnection;
let github: GithubTools;

beforeAll(async () => {
  repo = await createTempGitRepo();
  await repo.commit('Dashboard: a very large build', { 'sophia-dashboard/README.md': 'big\n' });
  connection = await connectMcpServer(
    'github',
    {
      command: process.execPath,
      args: [join(ROOT, 'agent', 'bin', 'frontendops-github-mcp.js')],
      env: { FRONTENDOPS_GIT_REPO: repo.path, FRONTENDOPS_GITHUB_BACKEND: 'git' },
    },
    { agentEnv: process.env, clientInfo: { name: 'frontendops-test', version: '0.0.0' } },
  );
  const tools = new ToolLayer({
    connections: { get: async () => connection },
    servers: { github: 'github', pulumi: 'pulumi' },
    trail: new AuditTrail(new MemoryAuditSink()),
  });
  github = new GithubTools(tools, settings);
});
afterAll(async () => {
  await connection?.close();
  await repo?.remove();
});

function bigRelease(commit: string): ReleaseRecord {
  const files = Array.from({ length: 50_000 }, (_, i) => ({
    path: `assets/chunk-${i}-${i.toString(36).padStart(8, 'x')}.js`,
    sha256: (i.toString(16).padStart(8, '0') + 'c'.repeat(56)).slice(0, 64),
    etag: `"${i.toString(16).padStart(32, '0')}"`,
    size: 1000 + i,
    contentType: 'text/javascript; charset=utf-8',
    cacheControl: 'public, max-age=31536000, immutable',
  }));
  return ReleaseRecordSchema.parse({
    schema: 1,
    releaseId: '20261123T100000.000Z-0123456789ab',
    stack: 'dashboard-hosting-prod',
    commit,
    tag: null,
    kind: 'deploy',
    trigger: 'schedule',
    requestedBy: 'timer on ci-runner',
    subject: 'Dashboard: a very large build',
    status: 'pending',
    steps: noSteps(),
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: null,
    files,
    retained: [],
    invalidate: ['/*'],
    copied: 50_000,
    unchanged: 0,
    deleted: 0,
    invalidationId: 'I2J0I21PCUYOIK',
  });
}

describe('the deploy tag of a 50,000-file release', () => {
  it('is created through the real github MCP server, with a bounded message that points at the record', async () => {
    const commit = await repo.head();
    const release = bigRelease(commit);
    // the record itself would never fit in a tag message
    expect(JSON.stringify(release).length).toBeGreaterThan(MAX_TAG_MESSAGE_LENGTH);

    const tag = await tagRelease(github, release, new Date('2026-11-23T10:05:00Z'), {
      artifactsBucket: 'sophia-dashboard-build-artifacts-1a2b',
    });
    expect(tag).toBe('dashboard-deploy-20261123-1');
    const tagged = await repo.git(['rev-parse', `${tag}^{commit}`]);
    expect(tagged.trim()).toBe(commit);
    const message = await repo.git(['for-each-ref', '--format=%(contents)', `refs/tags/${tag}`]);
    expect(message.length).toBeLessThan(4096);
    expect(releasePointerFromTagMessage(message)).toMatchObject({
      releaseId: release.releaseId,
      commit,
      files: 50_000,
      record: `s3://sophia-dashboard-build-artifacts-1a2b/releases/dashboard-hosting-prod/history/2026-11-23T10:00:00.000Z-${commit}.json`,
    });
    // a retry of the same release (its record never learnt the tag) finds it instead of tagging twice
    expect(
      await tagRelease(github, release, new Date('2026-11-23T10:06:00Z'), { artifactsBucket: 'x' }),
    ).toBe(tag);
    expect((await repo.git(['tag', '--list'])).trim().split('\n')).toEqual([tag]);
  });
});
