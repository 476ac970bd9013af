import { type DefaultTreeAdapterTypes, html, parse } from 'parse5';

/**
 * Which files a page makes the browser load, found the way a browser finds them: the HTML is parsed by
 * parse5 (the WHATWG parsing algorithm, as browsers and jsdom run it, so malformed markup, `<template>`
 * contents and `<noscript>` are treated exactly as a browser treats them), URLs are resolved against
 * the document's base URL (the first `<base href>`, else the page URL) with the WHATWG URL parser, and
 * only same-origin http(s) URLs are kept. Pure: the site health check fetches what this returns.
 */

export type ReferenceKind =
  | 'script'
  | 'stylesheet'
  | 'modulepreload'
  | 'preload'
  | 'icon'
  | 'manifest'
  | 'image';

export interface PageReference {
  /** Absolute URL without its fragment (the browser never sends it); the query string is kept. */
  url: string;
  kind: ReferenceKind;
}

export type SkipReason = 'foreign-origin' | 'not-http' | 'invalid' | 'empty';

export interface SkippedReference {
  /** The attribute value as written. */
  raw: string;
  kind: ReferenceKind;
  reason: SkipReason;
}

export interface PageReferences {
  /** The URL relative references were resolved against. */
  baseUrl: string;
  /** In document order, each URL once. */
  references: PageReference[];
  skipped: SkippedReference[];
}

type Element = DefaultTreeAdapterTypes.Element;
type ParentNode = DefaultTreeAdapterTypes.ParentNode;

/** `<link rel>` tokens that make the browser fetch (or that name a file the site must serve). */
const LINK_KINDS: ReadonlyArray<readonly [string, ReferenceKind]> = [
  ['stylesheet', 'stylesheet'],
  ['modulepreload', 'modulepreload'],
  ['preload', 'preload'],
  ['manifest', 'manifest'],
  ['icon', 'icon'],
  ['apple-touch-icon', 'icon'],
  ['apple-touch-icon-precomposed', 'icon'],
  ['mask-icon', 'icon'],
];

/** The HTML standard's JavaScript MIME type essences: a `<script type>` outside these (and "module") is data. */
const JAVASCRIPT_TYPES = new Set([
  'application/ecmascript',
  'application/javascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
]);

function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

function isHtmlElement(node: DefaultTreeAdapterTypes.ChildNode): node is Element {
  return 'tagName' in node && node.namespaceURI === html.NS.HTML;
}

/** Tree order, skipping `<template>` contents: the browser does not fetch what they reference. */
function* elements(parent: ParentNode): Generator<Element> {
  for (const child of parent.childNodes) {
    if (!('tagName' in child)) continue;
    if (isHtmlElement(child)) yield child;
    yield* elements(child);
  }
}

/** Classic scripts with a JavaScript type, and module scripts; `type="importmap"`, JSON and templates are data. */
function isFetchedScript(element: Element): boolean {
  const type = attr(element, 'type');
  if (type === undefined) return true;
  const essence = type.trim().toLowerCase();
  return essence === '' || essence === 'module' || JAVASCRIPT_TYPES.has(essence);
}

function linkKind(element: Element): ReferenceKind | undefined {
  const tokens = new Set(
    (attr(element, 'rel') ?? '')
      .toLowerCase()
      .split(/[\t\n\f\r ]+/)
      .filter((t) => t !== ''),
  );
  return LINK_KINDS.find(([token]) => tokens.has(token))?.[1];
}

/**
 * The URLs of a `srcset` attribute: comma-separated candidates of a URL and optional descriptors
 * (`a.png 1x, b.png 2x`, `c.png 480w`). A URL may itself contain commas; one that ends in commas has
 * them stripped, as the HTML standard's srcset parser does.
 */
export function srcsetUrls(value: string): string[] {
  const urls: string[] = [];
  let position = 0;
  const isSpace = (c: string | undefined) =>
    c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
  while (position < value.length) {
    while (position < value.length && (isSpace(value[position]) || value[position] === ',')) position += 1;
    if (position >= value.length) break;
    const start = position;
    while (position < value.length && !isSpace(value[position])) position += 1;
    let url = value.slice(start, position);
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      // Descriptors run to the next comma outside parentheses.
      let depth = 0;
      while (position < value.length) {
        const c = value[position];
        if (c === '(') depth += 1;
        else if (c === ')') depth = Math.max(0, depth - 1);
        else if (c === ',' && depth === 0) break;
        position += 1;
      }
    }
    if (url !== '') urls.push(url);
  }
  return urls;
}

/**
 * The document base URL: the first `<base>` with an `href`, resolved against the page URL; the page URL
 * when there is none, or when it does not parse or is a data:/javascript: URL (HTML standard, "frozen
 * base URL").
 */
function baseUrlOf(document: DefaultTreeAdapterTypes.Document, pageUrl: URL): URL {
  for (const element of elements(document)) {
    if (element.tagName !== 'base') continue;
    const href = attr(element, 'href');
    if (href === undefined) continue;
    try {
      const base = new URL(href, pageUrl);
      return base.protocol === 'data:' || base.protocol === 'javascript:' ? pageUrl : base;
    } catch {
      return pageUrl;
    }
  }
  return pageUrl;
}

interface Candidate {
  raw: string;
  kind: ReferenceKind;
}

function candidatesOf(element: Element): Candidate[] {
  const one = (name: string, kind: ReferenceKind): Candidate[] => {
    const value = attr(element, name);
    return value === undefined ? [] : [{ raw: value, kind }];
  };
  const srcset = (kind: ReferenceKind): Candidate[] => {
    const value = attr(element, 'srcset');
    return value === undefined ? [] : srcsetUrls(value).map((raw) => ({ raw, kind }));
  };
  switch (element.tagName) {
    case 'script':
      return isFetchedScript(element) ? one('src', 'script') : [];
    case 'link': {
      const kind = linkKind(element);
      return kind === undefined ? [] : one('href', kind);
    }
    case 'img':
      return [...one('src', 'image'), ...srcset('image')];
    case 'source':
      // Only a <picture>'s sources are images; <video>/<audio> sources are media the page may never play.
      return element.parentNode !== null &&
        'tagName' in element.parentNode &&
        element.parentNode.tagName === 'picture'
        ? srcset('image')
        : [];
    default:
      return [];
  }
}

/**
 * The same-origin files `htmlText` references, resolved as a browser at `pageUrl` resolves them.
 * Foreign origins (absolute or protocol-relative), non-http schemes (`data:`, `blob:`, `javascript:`),
 * empty and unparsable values are returned as skipped, never fetched.
 */
export function extractPageReferences(htmlText: string, pageUrl: string): PageReferences {
  const page = new URL(pageUrl);
  const document = parse(htmlText);
  const base = baseUrlOf(document, page);
  const references: PageReference[] = [];
  const skipped: SkippedReference[] = [];
  const seen = new Set<string>();
  for (const element of elements(document)) {
    for (const { raw, kind } of candidatesOf(element)) {
      if (raw.trim() === '') {
        // An empty src resolves to the page itself; browsers do not fetch it as a script or image.
        skipped.push({ raw, kind, reason: 'empty' });
        continue;
      }
      let url: URL;
      try {
        url = new URL(raw, base);
      } catch {
        skipped.push({ raw, kind, reason: 'invalid' });
        continue;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        skipped.push({ raw, kind, reason: 'not-http' });
        continue;
      }
      if (url.origin !== page.origin) {
        skipped.push({ raw, kind, reason: 'foreign-origin' });
        continue;
      }
      url.hash = '';
      if (seen.has(url.href)) continue;
      seen.add(url.href);
      references.push({ url: url.href, kind });
    }
  }
  return { baseUrl: base.href, references, skipped };
}
