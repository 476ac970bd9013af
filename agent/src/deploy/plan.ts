import type { CacheRule } from '../config/schema.js';
import { FrontendOpsError } from '../errors.js';
import { decideAdoption, type UnknownObject } from './adoption.js';
import { COPY_PHASES, type CopyPhase, compileCacheRules, needsInvalidation, phaseOf } from './cache-rules.js';
import { DEPLOYMENTS_FILE } from './deployments-doc.js';
import { invalidationPathsFor } from './invalidation-paths.js';
import { isReservedSiteObject } from './reserved.js';
import {
  type BuildManifest,
  MAX_SITE_PATH_BYTES,
  type ReleaseFile,
  type ReleaseRecord,
  type RetainedFile,
} from './schemas.js';
import type { S3Location } from './sync-command.js';

/**
 * The pure heart of the engine: what to copy, in which order, what is already live,
 * what to delete after the CDN forgot it, and which paths to invalidate. Content is compared by sha256
 * only. What is live is known from the current release record; the listing of the hosting bucket is
 * only trusted to confirm that each recorded object is still the one the engine wrote (same ETag and
 * size) — anything else is copied again.
 */

/** One object of a listing of the hosting bucket, path relative to the hosting prefix. */
export interface ListedObject {
  path: string;
  size: number;
  etag: string;
}

export type CopyReason =
  /** Not in the bucket and not in the record. */
  | 'new'
  /** The record says it is live but the bucket does not have it. */
  | 'missing'
  /** In the bucket, but no recorded release put it there, so its content is unknown. */
  | 'unknown'
  /** Different sha256 from the live one (this includes same-size changes, e.g. a rollback). */
  | 'changed'
  /** Same sha256 recorded, but the bucket's ETag or size differs: changed out of band. */
  | 'drift'
  /** Same content, different Content-Type or Cache-Control (a cache rule changed). */
  | 'headers';

export const COPY_REASONS: readonly CopyReason[] = [
  'new',
  'missing',
  'unknown',
  'changed',
  'drift',
  'headers',
];

export interface PlannedCopy {
  path: string;
  sha256: string;
  size: number;
  contentType: string;
  cacheControl: string;
  phase: CopyPhase;
  reason: CopyReason;
}

export interface PlanOptions {
  destination: S3Location;
  /** `--delete` in the sync command: files not in the build are removed (after the CDN forgot them). */
  delete: boolean;
  keepReleases: number;
  collapseAbove: number;
  /**
   * The adoption id the operator passed (`--adopt`): the objects no release knows may be deleted, if
   * they are still exactly the set that id names. Otherwise they are kept.
   */
  adopt?: string | undefined;
}

export interface DeployPlan {
  commit: string;
  previousCommit: string | null;
  previousReleaseId: string | null;
  /** Sorted by phase (immutable, other, html, index), then by path. */
  copy: PlannedCopy[];
  /** Live already and still what the engine wrote; the record entry to carry over. */
  unchanged: ReleaseFile[];
  /** Paths to delete once the invalidation completed; empty without `--delete`. */
  deleteLater: string[];
  /**
   * Objects in the destination that no release record knows and the build does not contain. Kept
   * (never deleted) unless `adopted`; then they are in `deleteLater` too.
   */
  unknown: UnknownObject[];
  /** Id of the `unknown` set for `--adopt`; null when there is none. */
  adoptionId: string | null;
  adopted: boolean;
  /** Files of the previous keepReleases-1 releases kept for visitors holding older pages. */
  retained: RetainedFile[];
  /** CloudFront paths: changed non-immutable files, or `/*` above `collapseAbove`. */
  invalidate: string[];
  /** The commit is already live, its release complete, and every file is as recorded: nothing to do. */
  noop: boolean;
}

function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/"/g, '');
}

/** A destination-less record predates the field; trust it, since a stack has one hosting bucket. */
function recordDescribes(record: ReleaseRecord, destination: S3Location): boolean {
  return (
    record.destination === undefined ||
    (record.destination.bucket === destination.bucket && record.destination.prefix === destination.prefix)
  );
}

interface KnownFile extends ReleaseFile {
  /** Releases ago (relative to the release being planned) that this content was last live; 0 = same commit. */
  age: number;
}

export function planDeploy(
  manifest: BuildManifest,
  currentRelease: ReleaseRecord | undefined,
  listing: readonly ListedObject[],
  rules: readonly CacheRule[],
  options: PlanOptions,
): DeployPlan {
  const current =
    currentRelease && recordDescribes(currentRelease, options.destination) ? currentRelease : undefined;
  // Redeploying the live commit (e.g. to repair drift) is not a new release: retained files do not age.
  const sameCommit = current?.commit === manifest.commit;
  const shift = sameCommit ? 0 : 1;

  const known = new Map<string, KnownFile>();
  for (const file of current?.retained ?? []) known.set(file.path, { ...file, age: file.age + shift });
  for (const file of current?.files ?? []) known.set(file.path, { ...file, age: Math.max(shift, 1) });

  // Reserved keys (release history, engine records) are not site files: never copied over, never deleted.
  const siteObjects = listing.filter((o) => !isReservedSiteObject(options.destination.prefix, o.path));
  const listed = new Map<string, ListedObject>();
  for (const object of siteObjects) listed.set(object.path, object);

  const compiled = compileCacheRules(rules);
  const copy: PlannedCopy[] = [];
  const unchanged: ReleaseFile[] = [];
  const prefixBytes = Buffer.byteLength(options.destination.prefix, 'utf8');

  for (const file of manifest.files) {
    if (prefixBytes + Buffer.byteLength(file.path, 'utf8') > MAX_SITE_PATH_BYTES) {
      throw new FrontendOpsError(
        'MANIFEST_INVALID',
        `${options.destination.prefix}${file.path} is longer than S3's 1,024-byte key limit`,
        { hint: 'Shorten the file path in the build, or use a shorter hosting prefix.' },
      );
    }
    const headers = compiled.headersFor(file.path, {
      contentType: file.contentType,
      cacheControl: file.cacheControl,
    });
    const phase = phaseOf(file.path, headers);
    const inBucket = listed.get(file.path);
    const live = known.get(file.path);
    let reason: CopyReason | undefined;
    if (inBucket === undefined) reason = live ? 'missing' : 'new';
    else if (live === undefined) reason = 'unknown';
    else if (live.sha256 !== file.sha256) reason = 'changed';
    else if (
      live.etag === undefined ||
      normalizeEtag(live.etag) !== normalizeEtag(inBucket.etag) ||
      inBucket.size !== file.size ||
      (live.size !== undefined && live.size !== inBucket.size)
    ) {
      reason = 'drift';
    } else if (live.contentType !== headers.contentType || live.cacheControl !== headers.cacheControl) {
      reason = 'headers';
    }
    if (reason === undefined) {
      unchanged.push({
        path: file.path,
        sha256: file.sha256,
        etag: inBucket?.etag,
        size: inBucket?.size,
        contentType: headers.contentType,
        cacheControl: headers.cacheControl,
      });
    } else {
      copy.push({ path: file.path, sha256: file.sha256, size: file.size, ...headers, phase, reason });
    }
  }

  const inManifest = new Set(manifest.files.map((f) => f.path));
  const deleteLater: string[] = [];
  const retained: RetainedFile[] = [];
  const unknownObjects: UnknownObject[] = [];
  const baseDeletes = new Set(current?.deleteLater ?? []);
  // siteObjects leaves out deployments.json too: the engine rewrites it every release, never unknown.
  for (const object of siteObjects) {
    if (inManifest.has(object.path)) continue;
    const live = known.get(object.path);
    if (live === undefined) {
      // An unfinished base release meant to delete it (an older release's file, or adopted): still ours.
      if (baseDeletes.has(object.path)) {
        if (options.delete) deleteLater.push(object.path);
        continue;
      }
      // The engine deletes only what a release put there; anything else waits for --adopt.
      unknownObjects.push({ path: object.path, etag: object.etag, size: object.size });
    } else if (live.age <= options.keepReleases - 1) {
      retained.push({
        path: live.path,
        sha256: live.sha256,
        ...(live.etag === undefined ? {} : { etag: live.etag }),
        ...(live.size === undefined ? {} : { size: live.size }),
        ...(live.contentType === undefined ? {} : { contentType: live.contentType }),
        ...(live.cacheControl === undefined ? {} : { cacheControl: live.cacheControl }),
        age: Math.max(live.age, 1),
      });
    } else if (options.delete) {
      deleteLater.push(object.path);
    }
  }

  const adoption = decideAdoption(unknownObjects, {
    adopt: options.adopt,
    deletes: options.delete,
    destination: `s3://${options.destination.bucket}/${options.destination.prefix}`,
  });
  if (adoption.adopted) deleteLater.push(...adoption.unknown.map((o) => o.path));

  const phaseRank = new Map(COPY_PHASES.map((p, i) => [p, i]));
  copy.sort(
    (a, b) =>
      (phaseRank.get(a.phase) ?? 0) - (phaseRank.get(b.phase) ?? 0) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  deleteLater.sort();
  retained.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  // Adopting (deleting the unknown objects) is a change even when every file is in place.
  const noop = sameCommit && copy.length === 0 && current?.status === 'complete' && !adoption.adopted;
  // deployments.json is rewritten by every release, so it is in every release's invalidation.
  const invalidate = noop
    ? []
    : invalidationPathsFor(
        [...copy.filter((c) => needsInvalidation(c.phase)).map((c) => c.path), DEPLOYMENTS_FILE],
        options.collapseAbove,
      );

  return {
    commit: manifest.commit,
    previousCommit: current?.commit ?? null,
    previousReleaseId: current?.releaseId ?? null,
    copy,
    unchanged,
    deleteLater,
    unknown: adoption.unknown,
    adoptionId: adoption.adoptionId,
    adopted: adoption.adopted,
    retained,
    invalidate,
    noop,
  };
}

/** What a human (or the agent's confirmation step) is shown before anything changes. */
export interface PlanSummary {
  commit: string;
  previousCommit: string | null;
  destination: string;
  noop: boolean;
  copy: {
    total: number;
    bytes: number;
    byPhase: Record<CopyPhase, number>;
    byReason: Record<CopyReason, number>;
  };
  unchanged: number;
  deleteLater: number;
  deferredDeletes: number;
  invalidate: string[];
  /** Up to `SAMPLE_SIZE` paths of each list, for display. */
  sample: { copy: string[]; deleteLater: string[] };
  /** An unfinished release this plan finishes (same commit) or replaces (another commit). */
  journal?: { action: 'finish' | 'supersede'; releaseId: string; commit: string; missing: string[] };
  /** When asking again after the lock was taken: how this plan goes beyond the confirmed one. */
  changes?: string[];
  /**
   * Objects no release knows: kept unless adopted. `objects` lists up to `UNKNOWN_SAMPLE_SIZE` of
   * them; `adoptionId` is what `--adopt` takes to delete exactly this set.
   */
  unknown: {
    count: number;
    bytes: number;
    adoptionId: string | null;
    adopted: boolean;
    objects: Array<{ path: string; etag: string; size: number }>;
  };
}

export const SAMPLE_SIZE = 10;
export const UNKNOWN_SAMPLE_SIZE = 50;

export function summarizePlan(plan: DeployPlan, destination: S3Location): PlanSummary {
  const byPhase = Object.fromEntries(COPY_PHASES.map((p) => [p, 0])) as Record<CopyPhase, number>;
  const byReason = Object.fromEntries(COPY_REASONS.map((r) => [r, 0])) as Record<CopyReason, number>;
  let bytes = 0;
  for (const c of plan.copy) {
    byPhase[c.phase] += 1;
    byReason[c.reason] += 1;
    bytes += c.size;
  }
  return {
    commit: plan.commit,
    previousCommit: plan.previousCommit,
    destination: `s3://${destination.bucket}/${destination.prefix}`,
    noop: plan.noop,
    copy: { total: plan.copy.length, bytes, byPhase, byReason },
    unchanged: plan.unchanged.length,
    deleteLater: plan.deleteLater.length,
    deferredDeletes: plan.retained.length,
    invalidate: plan.invalidate,
    sample: {
      copy: plan.copy.slice(0, SAMPLE_SIZE).map((c) => c.path),
      deleteLater: plan.deleteLater.slice(0, SAMPLE_SIZE).map((p) => p),
    },
    unknown: {
      count: plan.unknown.length,
      bytes: plan.unknown.reduce((sum, o) => sum + o.size, 0),
      adoptionId: plan.adoptionId,
      adopted: plan.adopted,
      objects: plan.unknown.slice(0, UNKNOWN_SAMPLE_SIZE).map((o) => ({ ...o })),
    },
  };
}
