import { describe, expect, it } from 'vitest';
import {
  type CachedResponse,
  EdgeCache,
  edgeTtlSeconds,
  invalidationPathMatches,
} from '../../../agent/src/sandbox/edge-cache.js';
import { objectKeyForPath, usesSpaFallback } from '../../../agent/src/sandbox/edge-paths.js';

describe('edgeTtlSeconds (CloudFront with MinTTL 0, DefaultTTL 1 day, MaxTTL 1 year)', () => {
  it.each([
    [undefined, 86_400],
    ['', 86_400],
    ['max-age=300', 300],
    ['public, max-age=31536000, immutable', 31_536_000],
    ['max-age=60, s-maxage=600', 600],
    ['s-maxage=0, max-age=600', 0],
    ['max-age=0', 0],
    ['no-cache', 0],
    ['no-store', 0],
    ['private, max-age=600', 0],
    ['max-age=999999999', 31_536_000],
    ['max-age=abc', 86_400],
    ['Max-Age=120', 120],
  ])('Cache-Control %j → %i s', (cacheControl, ttl) => {
    expect(edgeTtlSeconds(cacheControl)).toBe(ttl);
  });

  it('applies a minimum TTL over no-cache when the policy has one', () => {
    expect(edgeTtlSeconds('no-cache', { minTtlSeconds: 1, defaultTtlSeconds: 10, maxTtlSeconds: 100 })).toBe(
      10,
    );
    expect(edgeTtlSeconds('max-age=0', { minTtlSeconds: 5, defaultTtlSeconds: 10, maxTtlSeconds: 100 })).toBe(
      5,
    );
  });
});

describe('EdgeCache', () => {
  const response = (body: string): CachedResponse => ({ status: 200, headers: {}, body: Buffer.from(body) });

  it('serves an entry until its TTL passes, reporting its age in whole seconds', () => {
    let now = 1_000_000;
    const cache = new EdgeCache(() => now);
    cache.put('/index.html', response('v1'), 60);
    now += 2_500;
    expect(cache.get('/index.html')?.ageSeconds).toBe(2);
    now += 57_500;
    expect(cache.get('/index.html')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not store responses with a zero TTL', () => {
    const cache = new EdgeCache(() => 0);
    cache.put('/live.json', response('x'), 0);
    expect(cache.get('/live.json')).toBeUndefined();
  });

  it('purges exact paths and wildcard prefixes only', () => {
    const cache = new EdgeCache(() => 0);
    for (const path of ['/', '/index.html', '/assets/a.js', '/assets/b.css', '/assets-old/c.js']) {
      cache.put(path, response(path), 60);
    }
    expect(cache.purge(['/assets/*'])).toBe(2);
    expect(cache.get('/assets-old/c.js')).toBeDefined();
    expect(cache.purge(['/index.html'])).toBe(1);
    expect(cache.get('/')).toBeDefined();
    expect(cache.purge(['/*'])).toBe(2);
    expect(cache.size).toBe(0);
  });
});

describe('invalidationPathMatches', () => {
  it('matches exact paths, trailing wildcards, and encoded forms of the same path', () => {
    expect(invalidationPathMatches('/index.html', '/index.html')).toBe(true);
    expect(invalidationPathMatches('/index.html', '/')).toBe(false);
    expect(invalidationPathMatches('/*', '/anything/at/all')).toBe(true);
    expect(invalidationPathMatches('/assets/*', '/assets')).toBe(false);
    expect(invalidationPathMatches('/a b.html', '/a%20b.html')).toBe(true);
    expect(invalidationPathMatches('/ima*', '/images/x.png')).toBe(true);
  });
});

describe('edge paths', () => {
  it('maps / to the default root object and decodes keys', () => {
    expect(objectKeyForPath('/')).toBe('index.html');
    expect(objectKeyForPath('/assets/app%20v2.js')).toBe('assets/app v2.js');
    expect(objectKeyForPath('/%E0%A4%A')).toBeUndefined();
  });

  it('falls back to index.html only for extension-less last segments', () => {
    expect(usesSpaFallback('/releases/42')).toBe(true);
    expect(usesSpaFallback('/settings/')).toBe(true);
    expect(usesSpaFallback('/assets/missing.js')).toBe(false);
    expect(usesSpaFallback('/v1.2/about')).toBe(true);
  });
});
