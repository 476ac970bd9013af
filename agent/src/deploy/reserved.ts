import { FrontendOpsError } from '../errors.js';

/**
 * Keys the engine keeps for itself. Builds, release records, locks and deploy jobs live under these
 * prefixes in the artifacts bucket, and `deployments.json` (the release history the dashboard shows)
 * at the hosting root. No build may contain a file at such a path, and the engine never overwrites or
 * deletes such a key while copying or pruning site files, in any bucket: a syncCommand aimed at the
 * wrong bucket then still cannot destroy builds or records.
 */
export const RESERVED_PREFIXES = ['builds/', 'releases/', 'locks/', 'jobs/'] as const;
/** Root-level files the engine writes itself (engine-owned, never part of a build). */
export const RESERVED_ROOT_FILES = ['deployments.json'] as const;

/** How many offending paths an error message names. */
const NAMED_IN_MESSAGE = 5;

function underReservedPrefix(path: string): string | undefined {
  return RESERVED_PREFIXES.find((prefix) => path.startsWith(prefix));
}

/**
 * Why a site path (relative to the site root) is reserved, or undefined. Compared byte for byte, as S3
 * compares keys: `Builds/x` is an ordinary file.
 */
export function reservedSitePathReason(path: string): string | undefined {
  const prefix = underReservedPrefix(path);
  if (prefix !== undefined) return `under the reserved prefix ${prefix}`;
  if ((RESERVED_ROOT_FILES as readonly string[]).includes(path)) return 'an engine-owned file';
  return undefined;
}

/** True for a full bucket key the engine must never overwrite or delete as a site file. */
export function isReservedKey(key: string): boolean {
  return underReservedPrefix(key) !== undefined || (RESERVED_ROOT_FILES as readonly string[]).includes(key);
}

/**
 * A listed object of a site destination (`prefix` + `path`) that is not a site file: reserved either
 * as a bucket key or as a site path. The planner neither copies over nor deletes such objects.
 */
export function isReservedSiteObject(prefix: string, path: string): boolean {
  return isReservedKey(`${prefix}${path}`) || reservedSitePathReason(path) !== undefined;
}

function named(items: readonly string[]): string {
  const shown = items.slice(0, NAMED_IN_MESSAGE).join(', ');
  return items.length > NAMED_IN_MESSAGE ? `${shown} (+${items.length - NAMED_IN_MESSAGE} more)` : shown;
}

/**
 * Refuses build paths under a reserved prefix (RESERVED_PATH). `where` says whose paths these are
 * ("the build folder", "build.json of <commit>").
 */
export function assertNoReservedSitePaths(paths: Iterable<string>, where: string, hint: string): void {
  const offending: string[] = [];
  for (const path of paths) if (reservedSitePathReason(path) !== undefined) offending.push(path);
  if (offending.length === 0) return;
  offending.sort();
  throw new FrontendOpsError(
    'RESERVED_PATH',
    `${where} has ${offending.length} file(s) at paths the engine reserves (${RESERVED_PREFIXES.join(', ')}, ${RESERVED_ROOT_FILES.join(', ')}): ${named(offending)}`,
    { hint, data: { paths: offending.slice(0, 20), count: offending.length } },
  );
}

/**
 * The last line of defence of every site-file write and delete: throws RESERVED_PATH, before any
 * request, when one of `keys` is reserved. Planner bugs and hostile targets both end here.
 */
export function assertWritableSiteKeys(
  bucket: string,
  keys: readonly string[],
  action: string,
  allReserved = false,
): void {
  const offending = allReserved ? [...keys] : keys.filter(isReservedKey);
  if (offending.length === 0) return;
  throw new FrontendOpsError(
    'RESERVED_PATH',
    `refusing to ${action} ${named(offending.map((k) => `s3://${bucket}/${k}`))}: the key is reserved for the engine's own records`,
    {
      hint: 'Nothing was changed. Check the stack outputs (`frontendops deploy --dry-run` shows the target) and report this with the audit log.',
      data: { bucket, keys: offending.slice(0, 20), count: offending.length },
    },
  );
}

/** `assertWritableSiteKeys` for site paths under a destination prefix (both rules apply). */
export function assertWritableSitePaths(
  location: { bucket: string; prefix: string },
  paths: readonly string[],
  action: string,
): void {
  const offending = paths.filter((p) => isReservedSiteObject(location.prefix, p));
  assertWritableSiteKeys(
    location.bucket,
    offending.map((p) => `${location.prefix}${p}`),
    action,
    true,
  );
}
