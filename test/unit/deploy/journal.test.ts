import { describe, expect, it } from 'vitest';
import { buildDeploymentsDocument, deploymentEntry } from '../../../agent/src/deploy/deployments-doc.js';
import {
  boundedSubject,
  markStep,
  missingSteps,
  noSteps,
  withFailure,
} from '../../../agent/src/deploy/journal.js';
import { planChanges, planRelease } from '../../../agent/src/deploy/release-plan.js';
import {
  MAX_DEPLOYMENT_ENTRIES,
  type ReleaseEntry,
  ReleaseEntrySchema,
  type ReleaseRecord,
  ReleaseRecordSchema,
} from '../../../agent/src/deploy/schemas.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { allStepsDone, commitSha, listingOf, manifestOf, sha } from '../../support/deploy-fixtures.js';

const SYNC = parseSyncCommand('aws s3 sync s3://art-1/builds/{commit}/site/ s3://host-1/ --delete');
const AT = new Date('2026-11-23T10:00:05.000Z');

function record(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    schema: 1,
    releaseId: '20261123T100000.000Z-aaaaaaaaaaaa',
    stack: 'prod',
    commit: commitSha(1),
    tag: null,
    kind: 'deploy',
    trigger: 'cli',
    requestedBy: 'alice',
    subject: null,
    status: 'pending',
    steps: noSteps(),
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: null,
    destination: { bucket: 'host-1', prefix: '' },
    files: [{ path: 'index.html', sha256: sha('<html>') }],
    retained: [],
    invalidate: ['/', '/deployments.json', '/index.html'],
    copied: 1,
    unchanged: 0,
    deleted: 0,
    ...overrides,
  };
}

describe('journal steps', () => {
  it('lists missing steps in the order the engine runs them, and marks them done with a time', () => {
    let r = record();
    expect(missingSteps(r)).toEqual(['copied', 'invalidated', 'verified', 'tagged', 'pruned', 'published']);
    r = markStep(r, 'copied', AT);
    r = markStep(r, 'invalidated', AT, 'nothing to invalidate');
    expect(r.steps.invalidated).toEqual({ done: true, at: AT.toISOString(), note: 'nothing to invalidate' });
    expect(missingSteps(r)).toEqual(['verified', 'tagged', 'pruned', 'published']);
  });

  it('keeps a failure until the failed step is done', () => {
    const failed = withFailure(
      record(),
      { step: 'tagged', code: 'TAG_CONFLICT', message: 'x'.repeat(5000) },
      AT,
    );
    expect(failed.failure?.message).toHaveLength(2000);
    expect(markStep(failed, 'copied', AT).failure?.step).toBe('tagged');
    expect(markStep(failed, 'tagged', AT).failure).toBeUndefined();
  });

  it('stores a commit subject on one line, without control characters, bounded', () => {
    expect(boundedSubject('Fix \u001b[31mred\u001b[0m\nchart')).toBe('Fix [31mred [0m chart');
    expect(boundedSubject('x'.repeat(500))).toHaveLength(200);
    expect(boundedSubject('   ')).toBeNull();
    expect(boundedSubject(undefined)).toBeNull();
  });
});

describe('release records from before the journal', () => {
  const legacy = {
    schema: 1,
    releaseId: '20261120T100000.000Z-bbbbbbbbbbbb',
    stack: 'prod',
    commit: commitSha(2),
    trigger: 'rollback',
    requestedBy: 'bob',
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:05.000Z',
    files: [{ path: 'index.html', sha256: sha('old') }],
    copied: 1,
    unchanged: 0,
    deleted: 0,
  };

  it('read as complete releases of their kind, so a redeploy of their commit can be a no-op', () => {
    const parsed = ReleaseRecordSchema.parse(legacy);
    expect(parsed).toMatchObject({ status: 'complete', kind: 'rollback', subject: null, invalidate: [] });
    expect(parsed.steps.copied).toEqual({ done: true, at: legacy.finishedAt });
  });

  it('history entries drop the file lists, keeping a count', () => {
    const entry = ReleaseEntrySchema.parse(legacy);
    expect(entry.fileCount).toBe(1);
    expect('files' in entry).toBe(false);
  });
});

describe('deployments.json', () => {
  const entry = (n: number, overrides: Partial<ReleaseEntry> = {}): ReleaseEntry =>
    ReleaseEntrySchema.parse({
      ...record({
        releaseId: `20261123T10${String(n).padStart(2, '0')}00.000Z-aaaaaaaaaaaa`,
        startedAt: `2026-11-23T10:${String(n).padStart(2, '0')}:00.000Z`,
        finishedAt: `2026-11-23T10:${String(n).padStart(2, '0')}:07.500Z`,
        status: 'complete',
        steps: allStepsDone('2026-11-23T10:00:07.500Z'),
        copied: 3,
        deleted: 2,
      }),
      ...overrides,
    });

  it('is built from release records only: newest first, the freshest version of each, the last 20', () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(i));
    const updated = { ...entry(24), status: 'rolled_back' as const };
    const document = buildDeploymentsDocument('prod', [updated, ...entries], updated.releaseId, AT);
    expect(document.releases).toHaveLength(MAX_DEPLOYMENT_ENTRIES);
    expect(document.releases[0]).toMatchObject({ releaseId: updated.releaseId, status: 'rolled_back' });
    expect(document.releases.map((r) => r.startedAt)).toEqual(
      [...document.releases.map((r) => r.startedAt)].sort().reverse(),
    );
    expect(document).toMatchObject({
      schema: 1,
      stack: 'prod',
      live: updated.releaseId,
      generatedAt: AT.toISOString(),
    });
  });

  it('says what changed and how long it took; a pending release has no duration', () => {
    expect(deploymentEntry(entry(1))).toMatchObject({
      filesChanged: 5,
      durationMs: 7500,
      tag: null,
      subject: null,
    });
    expect(deploymentEntry(entry(1, { status: 'pending', finishedAt: null })).durationMs).toBeNull();
  });

  it('ignores records of other stacks', () => {
    expect(buildDeploymentsDocument('other', [entry(1)], null, AT).releases).toEqual([]);
  });
});

describe('planning against the journal', () => {
  const files = { 'index.html': '<html>1</html>', 'a.txt': 'a' };
  const manifest = manifestOf(commitSha(1), files);
  const listing = listingOf(new Map(Object.entries(files)));
  const options = { sync: SYNC, cacheRules: [], keepReleases: 3, collapseAbove: 25 };

  it('finishes a pending release of the same commit, replaces one of another commit, else starts anew', () => {
    expect(planRelease(manifest, undefined, [], options).action).toBe('new');
    expect(
      planRelease(manifest, record({ status: 'complete', commit: commitSha(2) }), [], options).action,
    ).toBe('new');
    expect(planRelease(manifest, record(), [], options).action).toBe('finish');
    expect(planRelease(manifest, record({ commit: commitSha(2) }), [], options).action).toBe('supersede');
  });

  it('takes over the invalidation of a replaced release that never invalidated', () => {
    const stuck = record({ commit: commitSha(2), invalidate: ['/only-in-2.txt'] });
    expect(planRelease(manifest, stuck, listing, options).invalidate).toContain('/only-in-2.txt');
    const invalidated = {
      ...stuck,
      steps: { ...stuck.steps, invalidated: { done: true, at: AT.toISOString() } },
    };
    expect(planRelease(manifest, invalidated, listing, options).invalidate).not.toContain('/only-in-2.txt');
  });

  it('asks again only when the plan grew: another base, more copies or more deletes', () => {
    const confirmed = planRelease(manifest, undefined, [], options);
    expect(planChanges(confirmed, planRelease(manifest, undefined, [], options))).toEqual([]);
    // someone deployed meanwhile: the base changed
    const moved = planRelease(
      manifest,
      record({ status: 'complete', commit: commitSha(3) }),
      listing,
      options,
    );
    expect(planChanges(confirmed, moved)[0]).toMatch(/the live release changed from nothing to/);
    // a plan that only shrank (a file it would have deleted is gone already) is covered by the confirmation
    // old.txt is a file of an older release that ages out (a file no release knows is never deleted
    // without --adopt, so it could not be the one that shrank the plan)
    const live = record({
      status: 'complete',
      commit: commitSha(3),
      retained: [{ path: 'old.txt', sha256: sha('old'), age: 2 }],
    });
    const withOld = listingOf(new Map([...Object.entries(files), ['old.txt', 'old']]));
    const before = planRelease(manifest, live, withOld, options);
    expect(before.plan.deleteLater).toEqual(['old.txt']);
    expect(planChanges(before, planRelease(manifest, live, listing, options))).toEqual([]);
    expect(planChanges(planRelease(manifest, live, listing, options), before)).toEqual([
      '1 more file(s) to delete: old.txt',
    ]);
  });
});
