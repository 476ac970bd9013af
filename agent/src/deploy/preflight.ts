import type { S3Client } from '@aws-sdk/client-s3';
import { FrontendOpsError } from '../errors.js';
import { listObjectsUnder } from './listing.js';
import type { DeployPlan, ListedObject } from './plan.js';
import type { RequestRunner } from './requests.js';
import { assertNoReservedSitePaths } from './reserved.js';
import type { BuildManifest, ReleaseRecord } from './schemas.js';
import type { S3Location } from './sync-command.js';

/**
 * The deploy preflight: nothing is copied until the whole build is known to be complete and intact.
 * - complete: the required entry files (`index.html`, `version.json` by default) are in the manifest,
 *   and no manifest path is reserved;
 * - intact: every manifest entry is stored under the build prefix with the size and the ETag that
 *   `publish` recorded — checked from one listing of the build prefix, not a request per file;
 * - safe to cache: no file served as immutable changes content under a name browsers already cache.
 * Deploys and rollbacks run the same checks. Objects under the build prefix that the manifest does not
 * name are ignored: only manifest entries are ever copied.
 */
export const DEFAULT_REQUIRED_FILES: readonly string[] = ['index.html', 'version.json'];

/** How many offending paths an error names (the rest are counted). */
export const OFFENDERS_NAMED = 5;

function republishHint(commit: string): string {
  return `Nothing was copied. Publish the commit again from a clean build (\`frontendops publish DIR --commit ${commit}\`); if the build was already complete, rebuild from a new commit.`;
}

/** RESERVED_PATH and BUILD_INCOMPLETE, from the manifest alone (no request). */
export function checkManifestRules(manifest: BuildManifest, requiredFiles: readonly string[]): void {
  const commit = manifest.commit;
  assertNoReservedSitePaths(
    manifest.files.map((f) => f.path),
    `build.json of ${commit}`,
    'Nothing was copied. Those paths belong to the engine (builds, release records, locks, jobs, deployments.json); rename the files in the build and publish a new commit.',
  );
  const present = new Set(manifest.files.map((f) => f.path));
  const missing = requiredFiles.filter((path) => !present.has(path));
  if (missing.length > 0) {
    throw new FrontendOpsError(
      'BUILD_INCOMPLETE',
      `the build of ${commit} lacks ${missing.join(', ')} (required: ${requiredFiles.join(', ')})`,
      {
        hint: 'Nothing was copied. Fix the build so it emits these files and publish a new commit, or change `requiredFiles` in the config.',
        data: { commit, missing },
      },
    );
  }
}

export type BuildProblemKind = 'missing' | 'size' | 'content';

export interface BuildProblem {
  path: string;
  kind: BuildProblemKind;
  detail: string;
}

function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/"/g, '');
}

/**
 * Manifest vs a listing of the build prefix (paths relative to it). Pure. A manifest without
 * fingerprints (schema 1) cannot be compared: the caller refuses it before calling this.
 */
export function compareBuildListing(
  manifest: BuildManifest,
  listing: readonly ListedObject[],
): BuildProblem[] {
  const stored = new Map(listing.map((o) => [o.path, o]));
  const problems: BuildProblem[] = [];
  for (const file of manifest.files) {
    const object = stored.get(file.path);
    if (object === undefined) {
      problems.push({ path: file.path, kind: 'missing', detail: 'not stored under the build prefix' });
    } else if (object.size !== file.size) {
      problems.push({
        path: file.path,
        kind: 'size',
        detail: `stored ${object.size} bytes, build.json says ${file.size}`,
      });
    } else if (normalizeEtag(object.etag) !== normalizeEtag(file.etag)) {
      problems.push({
        path: file.path,
        kind: 'content',
        detail: `stored ETag ${object.etag}, build.json recorded ${file.etag}`,
      });
    }
  }
  return problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Refuses a manifest whose files cannot be verified (schema 1: no fingerprints). */
export function assertFingerprinted(manifest: BuildManifest): void {
  if (manifest.schema === 2 && manifest.files.every((f) => f.etag !== undefined)) return;
  throw new FrontendOpsError(
    'BUILD_CORRUPT',
    `build.json of ${manifest.commit} is schema ${manifest.schema} and records no fingerprints, so its stored files cannot be verified`,
    {
      hint: `Nothing was copied. Publish the commit again with this version (\`frontendops publish DIR --commit ${manifest.commit}\` with the same build output): it re-uploads the files and records their fingerprints.`,
      data: { commit: manifest.commit, schema: manifest.schema },
    },
  );
}

export function buildCorruptError(
  commit: string,
  problems: readonly BuildProblem[],
  where: string,
): FrontendOpsError {
  const named = problems
    .slice(0, OFFENDERS_NAMED)
    .map((p) => `${p.path} (${p.detail})`)
    .join('; ');
  const more = problems.length > OFFENDERS_NAMED ? ` (+${problems.length - OFFENDERS_NAMED} more)` : '';
  return new FrontendOpsError(
    'BUILD_CORRUPT',
    `the build of ${commit} in ${where} does not match its build.json: ${problems.length} file(s) differ: ${named}${more}`,
    {
      hint: republishHint(commit),
      data: { commit, count: problems.length, problems: problems.slice(0, 20) },
    },
  );
}

/** BUILD_CORRUPT naming the first offending paths, when the listing disagrees with the manifest. */
export function assertBuildIntact(
  manifest: BuildManifest,
  listing: readonly ListedObject[],
  where: string,
): void {
  assertFingerprinted(manifest);
  const problems = compareBuildListing(manifest, listing);
  if (problems.length > 0) throw buildCorruptError(manifest.commit, problems, where);
}

function isImmutable(cacheControl: string | undefined): boolean {
  return (cacheControl ?? '').split(',').some((d) => d.trim().toLowerCase() === 'immutable');
}

/**
 * IMMUTABLE_CHANGED: a planned copy whose content differs from the live or a retained release under
 * the same name (reason `changed`), where either side is served as immutable — cached by browsers and
 * the CDN for a year and never invalidated. Copying it would leave every visitor who cached the old
 * bytes with them. `previous` is the record the plan was made against (its headers say how the old
 * content was served).
 */
export function assertImmutableUnchanged(
  plan: Pick<DeployPlan, 'commit' | 'copy'>,
  previous?: Pick<ReleaseRecord, 'files' | 'retained'>,
): void {
  const before = new Map<string, string | undefined>();
  for (const file of previous?.retained ?? []) before.set(file.path, file.cacheControl);
  for (const file of previous?.files ?? []) before.set(file.path, file.cacheControl);
  const changed = plan.copy
    .filter((c) => c.reason === 'changed' && (c.phase === 'immutable' || isImmutable(before.get(c.path))))
    .map((c) => c.path);
  if (changed.length === 0) return;
  const named = changed.slice(0, OFFENDERS_NAMED).join(', ');
  const more = changed.length > OFFENDERS_NAMED ? ` (+${changed.length - OFFENDERS_NAMED} more)` : '';
  throw new FrontendOpsError(
    'IMMUTABLE_CHANGED',
    `the build of ${plan.commit} changes the content of ${changed.length} file(s) served as immutable under the same name: ${named}${more}`,
    {
      hint: 'Nothing was copied. Browsers keep an immutable file for a year: give changed content a new name (a content hash in the file name), or change the cacheRules entry that marks it immutable.',
      data: { commit: plan.commit, paths: changed.slice(0, 20), count: changed.length },
    },
  );
}

/**
 * One listing of the build prefix, started as soon as the deploy is known to copy, so it runs alongside
 * the hosting listing and the lock; its result is only awaited before the first copy. Never rejects: a failed listing is
 * re-thrown where it is awaited, so a deploy that needs no copy is not failed by it.
 */
export interface BuildListing {
  assertIntact(manifest: BuildManifest): Promise<void>;
}

export function startBuildListing(
  s3: S3Client,
  runner: RequestRunner,
  location: S3Location,
  manifest?: Pick<BuildManifest, 'files'>,
): BuildListing {
  // The manifest's paths split the listing into segments listed at once (listing.ts).
  const expected = manifest?.files.map((f) => f.path) ?? [];
  const listed = listObjectsUnder(s3, runner, location, expected).then(
    (objects) => ({ objects }),
    (error: unknown) => ({ error }),
  );
  return {
    async assertIntact(manifest) {
      assertFingerprinted(manifest);
      const result = await listed;
      if ('error' in result) throw result.error;
      assertBuildIntact(manifest, result.objects, `s3://${location.bucket}/${location.prefix}`);
    },
  };
}

/**
 * The deploy engine's preflight, as the release steps call it: checks a manifest against the build
 * prefix's listing before the journal is written and before the first copy (throws BUILD_CORRUPT).
 */
export type Preflight = (input: { manifest: BuildManifest; plan: Pick<DeployPlan, 'copy'> }) => Promise<void>;

/**
 * The preflight of one build prefix. Its single listing starts now, alongside whatever the caller does
 * next (the plan, the lock); every call compares against that same listing, so checking again
 * under the lock costs no request.
 */
export function buildPreflight(
  s3: S3Client,
  runner: RequestRunner,
  location: S3Location,
  manifest?: Pick<BuildManifest, 'files'>,
): Preflight {
  const listing = startBuildListing(s3, runner, location, manifest);
  return ({ manifest }) => listing.assertIntact(manifest);
}
