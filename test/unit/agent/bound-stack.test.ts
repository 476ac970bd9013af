import { afterEach, describe, expect, it } from 'vitest';
import { deployThroughMcp, rollbackThroughMcp } from '../../../agent/src/agent/flow.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import {
  ARTIFACTS,
  DISTRIBUTION,
  type FlowHarness,
  type FlowHarnessOptions,
  flowHarness,
  HOSTING,
  publishFake,
  SITE_URL,
} from './fakes.js';

/**
 * Issue 10 §1 in the agent: the syncCommand is checked against the stack's own bucket outputs (read
 * in the same call, from the same stack) before any S3 request — with FrontendOps' pulumi server
 * (structuredContent) and with the official Pulumi MCP server (text only).
 */
const A = commitSha(1);
const open: FlowHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

function harness(options: FlowHarnessOptions): FlowHarness {
  const h = flowHarness({ commits: [{ sha: A, message: 'a' }], ...options });
  open.push(h);
  publishFake(h.s3, A, 'a');
  h.s3.calls.length = 0;
  return h;
}

async function failure(promise: Promise<unknown>): Promise<FrontendOpsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FrontendOpsError);
    return error as FrontendOpsError;
  }
  throw new Error('expected a failure');
}

const sync = (from: string, to: string) =>
  `aws s3 sync s3://${from}/builds/{commit}/site/ s3://${to}/ --delete`;
const outputs = (syncCommand: string, extra: Record<string, unknown> = {}) => ({
  syncCommand,
  artifactsBucket: ARTIFACTS,
  hostingBucket: HOSTING,
  url: SITE_URL,
  distributionId: DISTRIBUTION,
  ...extra,
});
const latest = { target: { kind: 'latest' as const }, dryRun: false, trigger: 'cli' as const };

for (const officialPulumi of [false, true]) {
  const server = officialPulumi ? 'the official Pulumi MCP server (text only)' : "FrontendOps' pulumi server";
  describe(`resolveStack with ${server}`, () => {
    it('refuses a syncCommand aimed at a foreign bucket before any S3 request, naming both buckets', async () => {
      const h = harness({ officialPulumi, outputs: outputs(sync(ARTIFACTS, 'victim-bucket')) });
      const error = await failure(deployThroughMcp(h.ctx, latest));
      expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
      expect(error.message).toContain('victim-bucket');
      expect(error.message).toContain(HOSTING);
      expect(h.s3.calls).toEqual([]);
      expect(h.audit.entries.at(-1)).toMatchObject({ kind: 'result', code: 'SYNC_COMMAND_MISMATCH' });
    });

    it('refuses source and destination swapped', async () => {
      const h = harness({ officialPulumi, outputs: outputs(sync(HOSTING, ARTIFACTS)) });
      const error = await failure(deployThroughMcp(h.ctx, { ...latest, dryRun: true }));
      expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
      expect(error.message).toContain('swapped');
      expect(h.s3.calls).toEqual([]);
    });

    it('refuses a stack without bucket outputs instead of trusting its syncCommand (rollback too)', async () => {
      const h = harness({
        officialPulumi,
        outputs: { syncCommand: sync(ARTIFACTS, HOSTING), url: SITE_URL, distributionId: DISTRIBUTION },
      });
      const error = await failure(deployThroughMcp(h.ctx, latest));
      expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
      expect(error.message).toContain('exports no artifactsBucket or hostingBucket');
      expect((await failure(rollbackThroughMcp(h.ctx, { dryRun: false }))).code).toBe(
        'SYNC_COMMAND_MISMATCH',
      );
      expect(h.s3.calls).toEqual([]);
    });

    it('deploys when the syncCommand names the stack buckets', async () => {
      const h = harness({ officialPulumi, outputs: outputs(sync(ARTIFACTS, HOSTING)) });
      expect((await deployThroughMcp(h.ctx, latest)).report.status).toBe('deployed');
    });
  });
}
