/**
 * How the edge maps a request path to an object key, like the site's CloudFront distribution: the default
 * root object `index.html` for `/`, and the single-page-app fallback — a missing object whose last path
 * segment has no extension (`/settings`, `/releases/42/`) is answered with `/index.html` and status 200.
 */
export const DEFAULT_ROOT_OBJECT = 'index.html';

/** The object key for a request path, or undefined when the path cannot name an object. */
export function objectKeyForPath(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/')) return undefined;
  if (decoded === '/') return DEFAULT_ROOT_OBJECT;
  return decoded.slice(1);
}

/** True when a missing object at this path should be answered with the SPA's index.html. */
export function usesSpaFallback(pathname: string): boolean {
  const segments = pathname.split('/');
  const last = segments[segments.length - 1] ?? '';
  return !last.includes('.');
}
