import { mergeInvalidationPaths } from './invalidation-paths.js';
import { listHosting } from './listing.js';
import { readBuildManifest } from './manifest.js';
import { planDeploy } from './plan.js';
import { assertImmutableUnchanged, buildPreflight, checkManifestRules } from './preflight.js';
import {
  type AdvanceOutcome,
  advanceRelease,
  journalRelease,
  pendingRecord,
  type ReleaseRun,
  recordFailure,
  tick,
} from './release-steps.js';
import { releaseIdFor } from './releases.js';
import type { ReleaseEntry, ReleaseRecord } from './schemas.js';
import { buildPrefixFor } from './sync-command.js';

/**
 * `rollBackFailedRelease`: a release went live and failed its check (version.json or the health
 * check). With `autoRollback` on, the stack goes back — still under the same lock — to the previous
 * complete release, as a new release of kind `auto-rollback` that replaces the failed one (the failed
 * record ends `rolled_back`). The restore is checked too, but never rolled back in turn.
 */
export interface AutoRollbackResult {
  /** The failed release as it ended. */
  failed: ReleaseRecord;
  /** The restoring release, when there was one to make. */
  restore?: AdvanceOutcome;
  /** Why no restore was attempted. */
  notRolledBack?: string;
}

/** The newest complete release older than the failed one, of another commit. */
export function previousCompleteRelease(
  failed: ReleaseRecord,
  history: readonly ReleaseEntry[],
): ReleaseEntry | undefined {
  return history.find(
    (entry) =>
      entry.status === 'complete' &&
      entry.releaseId !== failed.releaseId &&
      entry.commit !== failed.commit &&
      entry.startedAt < failed.startedAt,
  );
}

export async function rollBackFailedRelease(
  run: ReleaseRun,
  failed: ReleaseRecord,
): Promise<AutoRollbackResult> {
  const keepLive = async (reason: string): Promise<AutoRollbackResult> => {
    run.warnings.push(`not rolled back automatically: ${reason}`);
    return { failed: await recordFailure(run, failed), notRolledBack: reason };
  };
  if (!run.settings.autoRollback) return keepLive('autoRollback is off');
  const history = [...run.touched, ...(await run.history)];
  const target = previousCompleteRelease(failed, history);
  if (target === undefined) return keepLive('there is no earlier complete release to go back to');
  const { sync } = run.settings;
  const manifest = await readBuildManifest(run.s3, sync, target.commit, run.runner);
  if (manifest === undefined) {
    return keepLive(`the build of ${target.commit.slice(0, 12)} (release ${target.releaseId}) is gone`);
  }

  tick(run, 'rollback', `rolling back to ${target.commit.slice(0, 12)} (release ${target.releaseId})`);
  // The restore is held to the same checks as any deploy: the rules of its manifest, then — before
  // its journal is written — the preflight of its build against one listing of its prefix.
  checkManifestRules(manifest, run.settings.requiredFiles);
  const preflight = buildPreflight(
    run.s3,
    run.runner,
    { bucket: sync.source.bucket, prefix: buildPrefixFor(sync, target.commit) },
    manifest,
  );
  const listing = await listHosting(run.s3, run.runner, sync.destination);
  // No adoption here: objects no release knows are kept, as in any plan without an explicit --adopt.
  const plan = planDeploy(manifest, failed, listing, run.settings.cacheRules, {
    destination: sync.destination,
    delete: sync.delete,
    keepReleases: run.settings.keepReleases,
    collapseAbove: run.settings.invalidation.collapseAbove,
  });
  assertImmutableUnchanged(plan, failed);
  if (plan.copy.length > 0) {
    tick(
      run,
      'preflight',
      `verifying the ${manifest.files.length} files of the build of ${target.commit.slice(0, 12)}`,
    );
    await preflight({ manifest, plan });
  }
  const startedAt = run.now();
  const invalidate = failed.steps.invalidated.done
    ? plan.invalidate
    : mergeInvalidationPaths(plan.invalidate, failed.invalidate, run.settings.invalidation.collapseAbove);
  const restore = await journalRelease(
    run,
    pendingRecord(run, plan, {
      releaseId: releaseIdFor(startedAt, target.commit),
      kind: 'auto-rollback',
      commit: target.commit,
      subject: target.subject,
      startedAt,
      previousReleaseId: failed.releaseId,
      supersedes: failed.releaseId,
      invalidate,
    }),
    { record: failed, reason: 'health-check' },
  );
  const outcome = await advanceRelease(run, restore, plan, manifest);
  await run.emit({
    kind: 'auto_rollback',
    from: failed.releaseId,
    to: { releaseId: restore.releaseId, commit: restore.commit },
    outcome: outcome.outcome,
  });
  const ended: ReleaseRecord = {
    ...failed,
    status: 'rolled_back',
    endedBy: { releaseId: restore.releaseId, reason: 'health-check' },
  };
  // A restore that failed its own check stays live and pending, reported, and is never rolled back again.
  if (outcome.outcome === 'check_failed') {
    return { failed: ended, restore: { ...outcome, record: await recordFailure(run, outcome.record) } };
  }
  return { failed: ended, restore: outcome };
}
