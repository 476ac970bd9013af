import { describe, expect, it } from 'vitest';
import {
  compileCacheRules,
  contentTypeFor,
  DEFAULT_CACHE_CONTROL,
  defaultHeadersFor,
  HTML_CACHE_CONTROL,
  IMMUTABLE_CACHE_CONTROL,
  isContentHashedAsset,
  phaseOf,
} from '../../../agent/src/deploy/cache-rules.js';

describe('content types', () => {
  it.each([
    ['assets/index-BrX3k_9a.js', 'text/javascript; charset=utf-8'],
    ['assets/worker-Ab12Cd34.mjs', 'text/javascript; charset=utf-8'],
    ['assets/index-C0ffee12.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
    ['assets/engine-9f8e7d6c.wasm', 'application/wasm'],
    ['manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['assets/inter-Latin12.woff2', 'font/woff2'],
    ['version.json', 'application/json; charset=utf-8'],
    ['assets/index-BrX3k_9a.js.map', 'application/json; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
    ['robots.txt', 'text/plain; charset=utf-8'],
    ['logo.png', 'image/png'],
    ['_redirects', 'application/octet-stream'],
    ['data.unknownext', 'application/octet-stream'],
  ])('%s → %s', (path, type) => {
    expect(contentTypeFor(path)).toBe(type);
  });
});

describe('content-hashed assets', () => {
  it.each([
    ['assets/index-BrX3k_9a.js', true],
    ['assets/vendor-react-Dk-8a1_b.js', true],
    ['assets/index-BrX3k_9a.js.map', true],
    ['assets/fonts/inter-A1b2C3d4.woff2', true],
    ['assets/app.3f9a1c0b7d.js', true],
    ['assets/logo-darkmode.svg', false],
    ['assets/background.png', false],
    ['assets/index-abc12.js', false],
    ['index-BrX3k_9a.js', false],
    ['static/index-BrX3k_9a.js', false],
  ])('%s hashed=%s', (path, hashed) => {
    expect(isContentHashedAsset(path)).toBe(hashed);
  });

  it('gives the documented defaults', () => {
    expect(defaultHeadersFor('assets/index-BrX3k_9a.js').cacheControl).toBe(IMMUTABLE_CACHE_CONTROL);
    expect(defaultHeadersFor('index.html').cacheControl).toBe(HTML_CACHE_CONTROL);
    expect(defaultHeadersFor('docs/page.html').cacheControl).toBe(HTML_CACHE_CONTROL);
    expect(defaultHeadersFor('version.json').cacheControl).toBe(DEFAULT_CACHE_CONTROL);
    expect(defaultHeadersFor('assets/logo-darkmode.svg').cacheControl).toBe(DEFAULT_CACHE_CONTROL);
  });
});

describe('config cache rules', () => {
  const rules = compileCacheRules([
    { glob: 'version.json', cacheControl: 'no-store' },
    { glob: '*.html', cacheControl: 'no-cache, must-revalidate' },
    { glob: 'downloads/**', contentType: 'application/octet-stream' },
    { glob: 'downloads/**', cacheControl: 'public, max-age=60', contentType: 'text/plain' },
  ]);

  it('override the defaults per field, first match per field wins', () => {
    expect(rules.headersFor('version.json')).toEqual({
      contentType: 'application/json; charset=utf-8',
      cacheControl: 'no-store',
    });
    expect(rules.headersFor('downloads/a/report.pdf')).toEqual({
      contentType: 'application/octet-stream',
      cacheControl: 'public, max-age=60',
    });
  });

  it('match slash-free globs on the file name in any folder, and slash globs on the whole path', () => {
    expect(rules.headersFor('docs/guide/index.html').cacheControl).toBe('no-cache, must-revalidate');
    expect(rules.headersFor('other/downloads/x.pdf').contentType).toBe('application/pdf');
  });

  it('fall back to the given base headers (the manifest) before the defaults', () => {
    expect(
      rules.headersFor('assets/x.bin', { contentType: 'image/x-custom', cacheControl: 'private' }),
    ).toEqual({
      contentType: 'image/x-custom',
      cacheControl: 'private',
    });
  });
});

describe('copy phases', () => {
  it('puts immutable assets first, HTML late and the root index.html last', () => {
    expect(phaseOf('assets/index-BrX3k_9a.js', defaultHeadersFor('assets/index-BrX3k_9a.js'))).toBe(
      'immutable',
    );
    expect(phaseOf('version.json', defaultHeadersFor('version.json'))).toBe('other');
    expect(phaseOf('docs/index.html', defaultHeadersFor('docs/index.html'))).toBe('html');
    expect(phaseOf('index.html', defaultHeadersFor('index.html'))).toBe('index');
  });

  it('never lets a rule make a page immutable-phase', () => {
    expect(phaseOf('about.html', { contentType: 'text/html', cacheControl: IMMUTABLE_CACHE_CONTROL })).toBe(
      'html',
    );
    expect(
      phaseOf('about', { contentType: 'text/html; charset=utf-8', cacheControl: IMMUTABLE_CACHE_CONTROL }),
    ).toBe('html');
  });
});
