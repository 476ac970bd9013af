import { describe, expect, it } from 'vitest';
import { answerFromOutcome } from '../../../agent/src/agent/dispatch.js';
import type { DeployOutcome } from '../../../agent/src/agent/flow.js';
import { formatStatus } from '../../../agent/src/agent/report.js';
import { exitCodeOfAnswer } from '../../../agent/src/cli/support.js';
import { markStep, noSteps } from '../../../agent/src/deploy/journal.js';
import type { DeployReport } from '../../../agent/src/deploy/pipeline.js';
import type { PlanSummary } from '../../../agent/src/deploy/plan.js';

/** The release manager's view of a release that went live and then did not finish, or was rolled back. */
const commit = 'a'.repeat(40);
const plan: PlanSummary = {
  commit,
  previousCommit: 'b'.repeat(40),
  destination: 's3://hosting/',
  noop: false,
  copy: {
    total: 4,
    bytes: 2048,
    byPhase: { immutable: 2, other: 1, html: 0, index: 1 },
    byReason: { new: 4, missing: 0, unknown: 0, changed: 0, drift: 0, headers: 0 },
  },
  unchanged: 10,
  deleteLater: 1,
  deferredDeletes: 2,
  invalidate: ['/index.html', '/'],
  sample: { copy: ['assets/a-1.js', 'index.html'], deleteLater: ['old.js'] },
  unknown: { count: 0, bytes: 0, adoptionId: null, adopted: false, objects: [] },
};
const at = new Date('2026-11-23T10:00:00Z');

function outcome(report: Partial<DeployReport>): DeployOutcome {
  return {
    report: {
      status: 'deployed',
      commit,
      releaseId: '20261123T100000.000Z-aaaaaaaaaaaa',
      copied: 4,
      unchanged: 10,
      deleted: 0,
      deferredDeletes: 2,
      verify: { status: 'passed' },
      requests: {},
      retries: 0,
      durationMs: 1,
      plan,
      warnings: [],
      ...report,
    },
    stack: 'dashboard-hosting-prod',
    url: 'https://d1.example',
    action: 'deploy',
    target: { commit: commit, subject: 'Fix chart' },
  };
}

describe('an incomplete release', () => {
  const steps = markStep({ steps: noSteps() } as never, 'copied', at).steps;
  const incomplete = outcome({
    status: 'incomplete',
    steps,
    missing: ['invalidated', 'verified', 'tagged', 'pruned', 'published'],
    error: { code: 'INVALIDATION_FAILED', message: 'CloudFront failed: ServiceUnavailable' },
    finishCommand: 'frontendops status --finish --stack dashboard-hosting-prod',
  });

  it('says it is live but not finished, which steps are done and missing, and how to finish it', () => {
    const answer = answerFromOutcome(incomplete);
    expect(answer.text.split('\n')).toEqual([
      'Incomplete [RELEASE_INCOMPLETE] aaaaaaa "Fix chart" is live on dashboard-hosting-prod but did not finish (INVALIDATION_FAILED: CloudFront failed: ServiceUnavailable).',
      '  done: copied; missing: invalidated, verified, tagged, pruned, published',
      '  finish it with: frontendops status --finish --stack dashboard-hosting-prod (a deploy or rollback of the stack finishes or replaces it too)',
    ]);
    expect(answer.json).toMatchObject({
      status: 'incomplete',
      code: 'RELEASE_INCOMPLETE',
      cause: { code: 'INVALIDATION_FAILED' },
      done: ['copied'],
      missing: ['invalidated', 'verified', 'tagged', 'pruned', 'published'],
      finishCommand: 'frontendops status --finish --stack dashboard-hosting-prod',
    });
    expect(answer.ok).toBe(false);
    expect(exitCodeOfAnswer(answer)).toBe(4);
  });
});

describe('a release rolled back after a failed health check', () => {
  it('names what failed and what is live again, and exits 5', () => {
    const answer = answerFromOutcome(
      outcome({
        status: 'rolled_back',
        error: { code: 'HEALTH_CHECK_FAILED', message: '1 of 3 checked file(s) failed through the edge' },
        health: {
          ok: false,
          checked: 3,
          durationMs: 12,
          failures: [
            { path: 'assets/a-1.js', reason: 'wrong Content-Type', status: 200, contentType: 'text/plain' },
          ],
        },
        restored: {
          releaseId: 'r2',
          commit: 'c'.repeat(40),
          tag: 'dashboard-deploy-20261123-3',
          status: 'complete',
          missing: [],
        },
      }),
    );
    expect(answer.text).toMatch(
      /^Rolled back \[HEALTH_CHECK_FAILED\] aaaaaaa "Fix chart" went live on dashboard-hosting-prod and failed its check; ccccccc \(dashboard-deploy-20261123-3\) is live again\./,
    );
    expect(answer.text).toContain('/assets/a-1.js: wrong Content-Type (HTTP 200, Content-Type text/plain)');
    expect(answer.json).toMatchObject({
      status: 'rolled_back',
      code: 'HEALTH_CHECK_FAILED',
      restored: { tag: 'dashboard-deploy-20261123-3' },
    });
    expect(exitCodeOfAnswer(answer)).toBe(5);
  });
});

describe('status', () => {
  it('shows the lock with its age by S3’s clock, and an unfinished release with the command that finishes it', () => {
    const text = formatStatus({
      stack: 'dashboard-hosting-prod',
      url: undefined,
      live: {
        commit,
        releaseId: 'r1',
        trigger: 'cli',
        requestedBy: 'alice',
        finishedAt: null,
        kind: 'deploy',
        status: 'pending',
        tag: undefined,
      },
      latest: null,
      upToDate: false,
      lock: {
        owner: 'bob on laptop (pid 7)',
        requestedBy: 'bob',
        trigger: 'chat',
        commit: 'b'.repeat(40),
        acquiredAt: '2026-11-23T09:59:00.000Z',
        ageSeconds: 1000,
        expiresInSeconds: 0,
        expired: true,
      },
      unfinished: {
        releaseId: 'r1',
        commit,
        kind: 'deploy',
        missing: ['tagged', 'pruned', 'published'],
        failure: { step: 'tagged', code: 'TAG_CONFLICT', message: 'taken' },
        finishCommand: 'frontendops status --finish --stack dashboard-hosting-prod',
      },
    });
    expect(text).toContain('live:   aaaaaaa (cli by alice, not finished)');
    expect(text).toContain(
      'unfinished: release r1 (aaaaaaa) is missing tagged, pruned, published; tagged failed: TAG_CONFLICT: taken',
    );
    expect(text).toContain('finish it with: frontendops status --finish --stack dashboard-hosting-prod');
    expect(text).toContain(
      "lock:   held by bob on laptop (pid 7) (chat, deploying bbbbbbb), last renewed 1000 s ago, expired (by S3's clock)",
    );
    expect(text).toContain('`frontendops unlock --stack dashboard-hosting-prod` releases it');
  });
});
