import { describe, expect, it } from 'vitest';
import { mediaTypeOf, sameMediaType } from '../../../agent/src/deploy/media-type.js';
import { sitePathOf, siteRootUrl, siteUrlOf } from '../../../agent/src/deploy/site-url.js';

describe('media type comparison', () => {
  it.each([
    ['text/html; charset=utf-8', 'text/html', true],
    ['TEXT/HTML', 'text/html; charset=UTF-8', true],
    ['text/javascript;charset=utf-8', 'text/javascript; charset=utf-8', true],
    ['  application/json ; charset=utf-8', 'application/json', true],
    ['image/svg+xml', 'image/svg+xml', true],
    ['text/html', 'text/javascript', false],
    ['application/javascript', 'text/javascript', false],
    ['text/plain', 'text/plain; charset=utf-8', true],
    ['application/octet-stream', 'text/css', false],
  ])('%j vs the declared %j → %s', (actual, expected, same) => {
    expect(sameMediaType(actual, expected)).toBe(same);
  });

  it('never matches a missing or malformed header', () => {
    expect(sameMediaType(null, 'text/html')).toBe(false);
    expect(sameMediaType(undefined, 'text/html')).toBe(false);
    expect(sameMediaType('', 'text/html')).toBe(false);
    expect(sameMediaType('html', 'html')).toBe(false);
    expect(sameMediaType('text/html/x', 'text/html/x')).toBe(false);
    expect(sameMediaType('text /html', 'text/html')).toBe(false);
  });

  it('mediaTypeOf gives the lower-cased essence', () => {
    expect(mediaTypeOf('Application/Manifest+JSON; charset=utf-8')).toBe('application/manifest+json');
    expect(mediaTypeOf('nonsense')).toBeUndefined();
  });
});

describe('site URLs', () => {
  it('the root always ends in a slash and has no query or fragment', () => {
    expect(siteRootUrl('https://d111.cloudfront.example').href).toBe('https://d111.cloudfront.example/');
    expect(siteRootUrl('https://cdn.example/dashboard').href).toBe('https://cdn.example/dashboard/');
    expect(siteRootUrl('https://cdn.example/dashboard/?x=1#y').href).toBe('https://cdn.example/dashboard/');
  });

  it('maps URLs to site paths under a prefix, decoding each segment and ignoring the query', () => {
    const root = siteRootUrl('https://cdn.example/dashboard/');
    expect(sitePathOf('https://cdn.example/dashboard/assets/a.js?v=2', root)).toBe('assets/a.js');
    expect(sitePathOf('https://cdn.example/dashboard/', root)).toBe('index.html');
    expect(sitePathOf('https://cdn.example/dashboard/my%20file.js', root)).toBe('my file.js');
    expect(sitePathOf('https://cdn.example/other/a.js', root)).toBeUndefined();
    expect(sitePathOf('https://other.example/dashboard/a.js', root)).toBeUndefined();
    expect(sitePathOf('https://cdn.example/dashboard/bad%E0%A4%A.js', root)).toBeUndefined();
  });

  it('siteUrlOf and sitePathOf are inverses for awkward names', () => {
    const root = siteRootUrl('https://cdn.example/app/');
    for (const path of ['a b/c+d.js', 'ünï/cödé.css', 'q?x#y.png', '100%.txt']) {
      expect(sitePathOf(siteUrlOf(path, root), root)).toBe(path);
    }
  });
});
