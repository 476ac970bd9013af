import { FrontendOpsError } from '../errors.js';

/**
 * CloudFront's limits on invalidations in progress per distribution: 3,000 file paths, and separately
 * 15 wildcard paths. https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html
 */
export const MAX_INVALIDATION_PATHS = 3000;
export const MAX_WILDCARD_PATHS = 15;
/** Our own bound on one path (CloudFront refuses request URLs above 8,192 bytes; no real path nears this). */
export const MAX_PATH_LENGTH = 4096;
export const INVALIDATE_EVERYTHING = '/*';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function shown(path: string): string {
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 77)}...` : path);
}

function reject(message: string, data: Record<string, unknown> = {}): never {
  throw new FrontendOpsError('INVALIDATION_REJECTED', message, {
    hint: `Pass 1 to ${MAX_INVALIDATION_PATHS} paths that start with "/", at most ${MAX_WILDCARD_PATHS} of them ending in "*" (use "/*" for everything).`,
    data,
  });
}

function checkPath(path: string, index: number): void {
  if (!path.startsWith('/')) reject(`path ${index + 1} ${shown(path)} must start with "/"`, { index });
  if (CONTROL_CHARACTERS.test(path))
    reject(`path ${index + 1} ${shown(path)} contains a control character`, { index });
  if (path.length > MAX_PATH_LENGTH)
    reject(`path ${index + 1} is longer than ${MAX_PATH_LENGTH} characters`, { index });
  const star = path.indexOf('*');
  if (star !== -1 && star !== path.length - 1) {
    reject(`path ${index + 1} ${shown(path)}: "*" is only allowed as the last character`, { index });
  }
}

/**
 * Validates caller-supplied invalidation paths and collapses what is redundant: duplicates, and paths a
 * wildcard in the same batch already covers (`/*` covers everything). What is still over CloudFront's
 * limits afterwards is refused with INVALIDATION_REJECTED, never silently truncated: a partial
 * invalidation would leave stale files live. Pure.
 */
export function normalizeInvalidationPaths(paths: readonly string[]): string[] {
  if (paths.length === 0) reject('no paths to invalidate');
  paths.forEach(checkPath);
  const unique = [...new Set(paths)];
  const wildcards = unique.filter((p) => p.endsWith('*'));
  // A wildcard covers every other path (wildcards included) that starts with its stem.
  const covered = (path: string) => wildcards.some((w) => w !== path && path.startsWith(w.slice(0, -1)));
  const kept = unique.filter((p) => !covered(p));
  const keptWildcards = kept.filter((p) => p.endsWith('*')).length;
  const keptFiles = kept.length - keptWildcards;
  if (keptWildcards > MAX_WILDCARD_PATHS) {
    reject(`${keptWildcards} wildcard paths: CloudFront allows at most ${MAX_WILDCARD_PATHS} in progress`, {
      wildcards: keptWildcards,
    });
  }
  if (keptFiles > MAX_INVALIDATION_PATHS) {
    reject(`${keptFiles} paths: CloudFront allows at most ${MAX_INVALIDATION_PATHS} in progress`, {
      paths: keptFiles,
    });
  }
  return kept;
}
