/**
 * CloudFront invalidation paths for changed site files.
 * Limits: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-invalidations
 */
/** At most this many file paths may be in progress per distribution. */
export const CLOUDFRONT_MAX_INVALIDATION_PATHS = 3000;
export const INVALIDATE_EVERYTHING = '/*';

/**
 * CloudFront wants non-ASCII and RFC 1738 "unsafe" characters percent-encoded and everything else left
 * as is, or the path will not match the cached object
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation_Requirements.html).
 * `~` stays literal: browsers send it unencoded (RFC 3986 made it unreserved).
 */
const KEEP = /[A-Za-z0-9\-_.!'(),$+/:@&=;~]/;

export function encodeInvalidationPath(sitePath: string): string {
  let out = '/';
  for (const char of sitePath) {
    if (KEEP.test(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** The URL paths a visitor can reach a file by: `index.html` is also its folder (`/`, `/docs/`). */
function urlPathsFor(sitePath: string): string[] {
  const encoded = encodeInvalidationPath(sitePath);
  if (sitePath === 'index.html') return ['/', encoded];
  if (sitePath.endsWith('/index.html')) return [encoded.slice(0, -'index.html'.length), encoded];
  return [encoded];
}

/**
 * Paths to invalidate for the given changed site paths; `/*` when there are more than `collapseAbove`
 * (one wildcard is cheaper than thousands of paths, and CloudFront caps paths in progress), or when a
 * file name contains `*`, which CloudFront would read as a wildcard.
 */
export function invalidationPathsFor(changedSitePaths: readonly string[], collapseAbove: number): string[] {
  if (changedSitePaths.some((p) => p.includes('*'))) return [INVALIDATE_EVERYTHING];
  const paths = [...new Set(changedSitePaths.flatMap(urlPathsFor))].sort();
  if (paths.length > Math.min(collapseAbove, CLOUDFRONT_MAX_INVALIDATION_PATHS))
    return [INVALIDATE_EVERYTHING];
  return paths;
}

/**
 * CloudFront paths of two invalidations as one: the union, or `/*` when either is already `/*` or the
 * union is above `collapseAbove` (a release that replaces an unfinished one also invalidates what that
 * one changed).
 */
export function mergeInvalidationPaths(
  a: readonly string[],
  b: readonly string[],
  collapseAbove: number,
): string[] {
  if (a.includes(INVALIDATE_EVERYTHING) || b.includes(INVALIDATE_EVERYTHING)) return [INVALIDATE_EVERYTHING];
  const paths = [...new Set([...a, ...b])].sort();
  if (paths.length > Math.min(collapseAbove, CLOUDFRONT_MAX_INVALIDATION_PATHS))
    return [INVALIDATE_EVERYTHING];
  return paths;
}
