import mime from 'mime';
import picomatch from 'picomatch';
import type { CacheRule } from '../config/schema.js';

/**
 * Content-Type and Cache-Control for every site file. Defaults:
 * - content-hashed assets (`assets/name-<hash>.ext`): cached for a year, `immutable`;
 * - HTML: `no-cache` (revalidated on every visit, so a deploy shows up at once);
 * - everything else: five minutes.
 * Config rules (`cacheRules`, picomatch globs on the site-relative path) override per field; the first
 * rule that matches and sets a field wins.
 */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const HTML_CACHE_CONTROL = 'no-cache';
export const DEFAULT_CACHE_CONTROL = 'public, max-age=300';
export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

export interface FileHeaders {
  contentType: string;
  cacheControl: string;
}

export type CopyPhase = 'immutable' | 'other' | 'html' | 'index';
/** Copy order: a page never goes live before the files it references. */
export const COPY_PHASES: readonly CopyPhase[] = ['immutable', 'other', 'html', 'index'];

/**
 * Vite's `assets/[name]-[hash][extname]` (hash: 8+ base64url characters) and webpack's
 * `[name].[contenthash]` (8+ hex) inside an `assets/` folder. The hash must contain a digit or an
 * upper-case letter: a plain word like `assets/logo-darkmode.svg` is not a hash, and calling a
 * non-hashed file immutable would pin a stale copy in browsers for a year. (The reverse mistake only
 * costs a five-minute cache.)
 */
const HASHED_ASSET = /^assets\/(?:[^/]+\/)*[^/]+[-.]([A-Za-z0-9_-]{8,})(\.[A-Za-z0-9]+)+$/;

export function isContentHashedAsset(path: string): boolean {
  const match = HASHED_ASSET.exec(path);
  if (!match) return false;
  const hash = match[1] ?? '';
  return /[0-9A-Z]/.test(hash);
}

/** Text formats are served as UTF-8 explicitly; browsers otherwise guess for some of them. */
function withCharset(type: string): string {
  if (type.startsWith('text/') || type === 'application/json' || type === 'application/manifest+json') {
    return `${type}; charset=utf-8`;
  }
  return type;
}

export function contentTypeFor(path: string): string {
  const type = mime.getType(path);
  return type === null ? FALLBACK_CONTENT_TYPE : withCharset(type);
}

export function isHtmlPath(path: string): boolean {
  return /\.html?$/i.test(path);
}

export function defaultHeadersFor(path: string): FileHeaders {
  const contentType = contentTypeFor(path);
  if (isHtmlPath(path)) return { contentType, cacheControl: HTML_CACHE_CONTROL };
  if (isContentHashedAsset(path)) return { contentType, cacheControl: IMMUTABLE_CACHE_CONTROL };
  return { contentType, cacheControl: DEFAULT_CACHE_CONTROL };
}

export interface CompiledCacheRules {
  /** Headers for `path`: config rules first, then `base` (e.g. what the build manifest says), then defaults. */
  headersFor(path: string, base?: FileHeaders): FileHeaders;
}

/**
 * A glob without a slash matches the file name in any folder (`*.html` covers `docs/a.html`), as in
 * .gitignore; a glob with a slash matches the whole path. (picomatch's own `basename` option also
 * rewrites globs that contain slashes, so it is applied here only to slash-free globs.)
 */
function compileGlob(glob: string): (path: string) => boolean {
  const matcher = picomatch(glob, { dot: true });
  if (glob.includes('/')) return (path) => matcher(path);
  return (path) => matcher(path.slice(path.lastIndexOf('/') + 1));
}

export function compileCacheRules(rules: readonly CacheRule[]): CompiledCacheRules {
  const compiled = rules.map((rule) => ({ rule, matches: compileGlob(rule.glob) }));
  return {
    headersFor(path, base) {
      const fallback = base ?? defaultHeadersFor(path);
      let contentType: string | undefined;
      let cacheControl: string | undefined;
      for (const { rule, matches } of compiled) {
        if (contentType !== undefined && cacheControl !== undefined) break;
        if (!matches(path)) continue;
        contentType ??= rule.contentType;
        cacheControl ??= rule.cacheControl;
      }
      return {
        contentType: contentType ?? fallback.contentType,
        cacheControl: cacheControl ?? fallback.cacheControl,
      };
    },
  };
}

function isImmutableCacheControl(cacheControl: string): boolean {
  return cacheControl
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .includes('immutable');
}

/**
 * Which copy phase a file belongs to. HTML is decided by the path first, so a rule that (wrongly)
 * marks a page immutable still cannot make it go live before its assets.
 */
export function phaseOf(path: string, headers: FileHeaders): CopyPhase {
  if (path === 'index.html') return 'index';
  if (isHtmlPath(path) || headers.contentType.toLowerCase().startsWith('text/html')) return 'html';
  if (isImmutableCacheControl(headers.cacheControl)) return 'immutable';
  return 'other';
}

/** Immutable files never change under the same name, so a CDN never needs to forget them. */
export function needsInvalidation(phase: CopyPhase): boolean {
  return phase !== 'immutable';
}
