import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runIntent } from '../../../agent/src/agent/dispatch.js';
import { deployThroughMcp } from '../../../agent/src/agent/flow.js';
import { RollbackArgs, rollbackIntentOf } from '../../../agent/src/agent/guarded.js';
import { routeIntent, wordsMandate } from '../../../agent/src/agent/intent.js';
import { askModel } from '../../../agent/src/agent/model.js';
import { commitSha } from '../../support/deploy-fixtures.js';
import type { FakeS3 } from '../../support/fake-s3.js';
import {
  ARTIFACTS,
  type FlowHarness,
  type FlowHarnessOptions,
  flowHarness,
  HOSTING,
  publishFake,
} from './fakes.js';

/**
 * Issue 11 §1: `rollback --dry-run --yes` performed a real rollback because the dry-run flag was
 * dropped between the entry point and the flow. Every entry point now builds one typed intent that
 * carries `dryRun` to the flow; these tests pin it for the dispatcher (CLI verbs, ask, chat, the
 * agent's MCP server) and for the model's guarded tools, and pin the mandate that stops a model from
 * acting on a question.
 */

const A = commitSha(1);
const B = commitSha(2);
const open: FlowHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

/** Two releases: A then B (live), each tagged. */
async function twoReleases(options: FlowHarnessOptions = {}): Promise<FlowHarness> {
  const h = flowHarness({
    commits: [
      { sha: B, message: 'Newer chart' },
      { sha: A, message: 'Fix chart colours' },
    ],
    ...options,
  });
  open.push(h);
  publishFake(h.s3, A, 'a');
  publishFake(h.s3, B, 'b');
  const explicit = { ...h.ctx, mandate: { kind: 'explicit' as const } };
  await deployThroughMcp(explicit, { kind: 'deploy', target: { kind: 'commit', sha: A }, dryRun: false });
  await deployThroughMcp(explicit, { kind: 'deploy', target: { kind: 'latest' }, dryRun: false });
  return h;
}

/** Both buckets, key → etag: compared before and after to show that nothing changed. */
function listings(s3: FakeS3): Record<string, Record<string, string>> {
  return Object.fromEntries(
    [ARTIFACTS, HOSTING].map((bucket) => [
      bucket,
      Object.fromEntries([...s3.bucket(bucket).entries()].map(([key, o]) => [key, o.etag])),
    ]),
  );
}

describe('a rollback dry run changes nothing (regression: rollback --dry-run --yes rolled back)', () => {
  it('through the dispatcher every CLI verb, ask, chat and the MCP server use', async () => {
    const h = await twoReleases();
    const before = listings(h.s3);
    const tags = h.github.tags.length;
    const answer = await runIntent(h.ctx, { kind: 'rollback', dryRun: true });
    expect(answer.json.status).toBe('planned');
    expect(answer.text).toMatch(/^Dry run — nothing changed\./);
    expect(answer.text).toContain(
      'Roll back dashboard-hosting-prod from dashboard-deploy-20261123-2 (' +
        `${B.slice(0, 7)}) to dashboard-deploy-20261123-1 (${A.slice(0, 7)}) "Fix chart colours"`,
    );
    expect(listings(h.s3)).toEqual(before);
    expect(h.github.tags).toHaveLength(tags);
    expect(h.s3.text(HOSTING, 'version.json')).toContain(B);
  });

  it('through the MCP tool arguments: dryRun survives parsing into the intent', () => {
    const args = RollbackArgs.parse({ dryRun: true, toTag: 'dashboard-deploy-20261123-1' });
    expect(rollbackIntentOf(args)).toEqual({
      kind: 'rollback',
      to: { kind: 'tag', tag: 'dashboard-deploy-20261123-1' },
      dryRun: true,
    });
    expect(rollbackIntentOf(RollbackArgs.parse({}))).toEqual({ kind: 'rollback', dryRun: false });
    expect(RollbackArgs.safeParse({ toTag: 'x-1', toCommit: 'abc1234' }).success).toBe(false);
  });

  it('through the model path: rollback_dashboard with dryRun plans and changes nothing', async () => {
    const h = await twoReleases();
    h.ctx.mandate = wordsMandate(routeIntent('what would change if I roll back?'));
    const before = listings(h.s3);
    const model = fakeModel()
      .respondWithTools([{ name: 'rollback_dashboard', args: { dryRun: true } }])
      .respond(new AIMessage('That would go back to the chart colour fix.'));
    const turn = await askModel(h.ctx, model, 'what would change if I roll back?', { redact: (t) => t });
    const answer = turn.messages.find((m) => ToolMessage.isInstance(m));
    expect(String(answer?.content)).toMatch(/^Dry run — nothing changed\./);
    expect(listings(h.s3)).toEqual(before);
  });
});

describe('a model cannot act on words that do not order it', () => {
  it.each([
    'what would change if I roll back?',
    'why did the last rollback happen?',
    'dry run a rollback',
    'can you roll back?',
  ])('%j: rollback_dashboard without dryRun is refused, and the buckets are untouched', async (text) => {
    const h = await twoReleases();
    h.ctx.mandate = wordsMandate(routeIntent(text));
    const before = listings(h.s3);
    const model = fakeModel()
      .respondWithTools([{ name: 'rollback_dashboard', args: {} }])
      .respond(new AIMessage('Done.'));
    const turn = await askModel(h.ctx, model, text, { redact: (t) => t });
    const answer = String(turn.messages.find((m) => ToolMessage.isInstance(m))?.content);
    expect(answer).toMatch(
      /^Refused \[REFUSED\] not rolling back: the request is not a request to change anything/,
    );
    expect(listings(h.s3)).toEqual(before);
    expect(h.audit.entries.at(-1)).toMatchObject({ kind: 'result', status: 'refused', code: 'REFUSED' });
  });

  it('"Deploy the latest dashboard, not 2c438a2b": the model may not deploy 2c438a2b (or anything)', async () => {
    const h = await twoReleases();
    const text = 'Deploy the latest dashboard, not 2c438a2b';
    h.ctx.mandate = wordsMandate(routeIntent(text));
    const before = listings(h.s3);
    const model = fakeModel()
      .respondWithTools([{ name: 'deploy_dashboard', args: { commit: A } }])
      .respond(new AIMessage('Deployed.'));
    const turn = await askModel(h.ctx, model, text, { redact: (t) => t });
    expect(String(turn.messages.find((m) => ToolMessage.isInstance(m))?.content)).toMatch(
      /^Refused \[REFUSED\]/,
    );
    expect(listings(h.s3)).toEqual(before);
  });

  it('an order allows exactly its target: "roll back" may not become a rollback to another tag', async () => {
    const h = await twoReleases();
    h.ctx.mandate = wordsMandate(routeIntent('roll back'));
    const model = fakeModel()
      .respondWithTools([{ name: 'rollback_dashboard', args: { toTag: 'dashboard-deploy-20261123-2' } }])
      .respondWithTools([{ name: 'rollback_dashboard', args: {} }])
      .respond(new AIMessage('Rolled back.'));
    const turn = await askModel(h.ctx, model, 'roll back', { redact: (t) => t });
    const answers = turn.messages.filter((m) => ToolMessage.isInstance(m)).map((m) => String(m.content));
    expect(answers[0]).toMatch(/release before the live one/);
    expect(answers[1]).toMatch(/^Rolled back dashboard-hosting-prod from dashboard-deploy-20261123-2/);
    expect(h.s3.text(HOSTING, 'version.json')).toContain(A);
  });
});
