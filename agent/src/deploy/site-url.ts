/**
 * Where a build's files live on the site. The stack's `url` is the site root; a site hosted under a
 * path (`https://cdn.example/dashboard`) is still a folder, so its root always ends in `/` and the page
 * is fetched there, which is also the URL the browser resolves the page's relative references against.
 * Pure: no I/O.
 */

/** The site root: `url` with a trailing slash, without query or fragment. */
export function siteRootUrl(url: string): URL {
  const root = new URL(url);
  root.search = '';
  root.hash = '';
  if (!root.pathname.endsWith('/')) root.pathname = `${root.pathname}/`;
  return root;
}

/** The URL of a site path (`assets/app 1.js` → `<root>assets/app%201.js`). */
export function siteUrlOf(path: string, root: URL): string {
  return new URL(path.split('/').map(encodeURIComponent).join('/'), root).href;
}

/**
 * The site path a same-origin URL names (`<root>assets/a.js?v=2` → `assets/a.js`; the root itself →
 * `index.html`, the default root object), or undefined for a URL outside the root or one whose path
 * does not decode.
 */
export function sitePathOf(url: string, root: URL): string | undefined {
  const target = new URL(url);
  if (target.origin !== root.origin || !target.pathname.startsWith(root.pathname)) return undefined;
  const rest = target.pathname.slice(root.pathname.length);
  if (rest === '') return 'index.html';
  try {
    return rest.split('/').map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
}
