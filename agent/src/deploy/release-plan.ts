import type { CacheRule } from '../config/schema.js';
import { mergeInvalidationPaths } from './invalidation-paths.js';
import { missingSteps } from './journal.js';
import { type DeployPlan, type ListedObject, planDeploy, SAMPLE_SIZE } from './plan.js';
import { assertImmutableUnchanged } from './preflight.js';
import type { BuildManifest, ReleaseRecord, ReleaseStep } from './schemas.js';
import type { SyncCommand } from './sync-command.js';

/**
 * What a run does with the journal it finds (pure; throws IMMUTABLE_CHANGED for a plan that would
 * change a file served as immutable): `new` — the journal is complete (or empty), plan
 * a new release on top of it; `finish` — an unfinished release of this same commit: run its missing
 * steps; `supersede` — an unfinished release of another commit: plan the new release on top of it
 * (every file it lists is known, so none is deleted while its index.html may be live) and take over
 * the invalidation it may not have done.
 */
export type JournalAction = 'new' | 'finish' | 'supersede';

export interface PlannedRelease {
  action: JournalAction;
  /** The journal's release (the plan's base), if any. */
  base: ReleaseRecord | undefined;
  plan: DeployPlan;
  /** CloudFront paths for the new release: its own, plus an unfinished base's outstanding ones. */
  invalidate: string[];
}

export interface ReleasePlanOptions {
  sync: SyncCommand;
  cacheRules: readonly CacheRule[];
  keepReleases: number;
  collapseAbove: number;
  /** The operator's adoption id (`--adopt`): objects no release knows are deleted only with it. */
  adopt?: string | undefined;
}

export function journalActionFor(base: ReleaseRecord | undefined, commit: string): JournalAction {
  if (base?.status !== 'pending') return 'new';
  return base.commit === commit ? 'finish' : 'supersede';
}

export function planRelease(
  manifest: BuildManifest,
  base: ReleaseRecord | undefined,
  listing: readonly ListedObject[],
  options: ReleasePlanOptions,
): PlannedRelease {
  const action = journalActionFor(base, manifest.commit);
  const plan = planDeploy(manifest, base, listing, options.cacheRules, {
    destination: options.sync.destination,
    delete: options.sync.delete,
    keepReleases: options.keepReleases,
    collapseAbove: options.collapseAbove,
    adopt: options.adopt,
  });
  // Refused before anything is journaled or asked: changed content under an immutable name.
  assertImmutableUnchanged(plan, base);
  let invalidate = plan.invalidate;
  if (action === 'finish' && base !== undefined) {
    invalidate = mergeInvalidationPaths(base.invalidate, plan.invalidate, options.collapseAbove);
  } else if (action === 'supersede' && base !== undefined && !base.steps.invalidated.done) {
    invalidate = mergeInvalidationPaths(plan.invalidate, base.invalidate, options.collapseAbove);
  }
  return { action, base, plan, invalidate };
}

/** The unfinished release a plan finishes or replaces, as shown in confirmations and reports. */
export interface JournalNote {
  action: 'finish' | 'supersede';
  releaseId: string;
  commit: string;
  missing: ReleaseStep[];
}

export function journalNote(planned: PlannedRelease): JournalNote | undefined {
  if (planned.action === 'new' || planned.base === undefined) return undefined;
  return {
    action: planned.action,
    releaseId: planned.base.releaseId,
    commit: planned.base.commit,
    missing: missingSteps(planned.base),
  };
}

function sample(paths: readonly string[]): string {
  const shown = paths.slice(0, SAMPLE_SIZE).join(', ');
  return paths.length > SAMPLE_SIZE ? `${shown} (+${paths.length - SAMPLE_SIZE} more)` : shown;
}

/**
 * How the plan made under the lock goes beyond the one that was confirmed without it: another base
 * release, files to copy or delete that were not in it. An empty list means the confirmation covers it
 * (a plan that only shrank needs no second answer).
 */
export function planChanges(confirmed: PlannedRelease, current: PlannedRelease): string[] {
  const changes: string[] = [];
  const describe = (p: PlannedRelease) =>
    p.base === undefined
      ? 'nothing'
      : `${p.base.commit.slice(0, 7)} (release ${p.base.releaseId}, ${p.base.status})`;
  if (
    confirmed.base?.releaseId !== current.base?.releaseId ||
    confirmed.base?.status !== current.base?.status ||
    confirmed.action !== current.action
  ) {
    changes.push(`the live release changed from ${describe(confirmed)} to ${describe(current)}`);
  }
  const copies = new Set(confirmed.plan.copy.map((c) => c.path));
  const moreCopies = current.plan.copy.map((c) => c.path).filter((p) => !copies.has(p));
  if (moreCopies.length > 0) changes.push(`${moreCopies.length} more file(s) to copy: ${sample(moreCopies)}`);
  const deletes = new Set(confirmed.plan.deleteLater);
  const moreDeletes = current.plan.deleteLater.filter((p) => !deletes.has(p));
  if (moreDeletes.length > 0)
    changes.push(`${moreDeletes.length} more file(s) to delete: ${sample(moreDeletes)}`);
  return changes;
}
