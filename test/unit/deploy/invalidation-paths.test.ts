import { describe, expect, it } from 'vitest';
import {
  encodeInvalidationPath,
  invalidationPathsFor,
} from '../../../agent/src/deploy/invalidation-paths.js';

describe('invalidation paths', () => {
  it('maps index.html to / and /index.html, nested ones to their folder too', () => {
    expect(invalidationPathsFor(['index.html', 'docs/index.html', 'version.json'], 25)).toEqual([
      '/',
      '/docs/',
      '/docs/index.html',
      '/index.html',
      '/version.json',
    ]);
  });

  it('collapses to /* above the threshold', () => {
    const paths = Array.from({ length: 26 }, (_, i) => `page-${i}.html`);
    expect(invalidationPathsFor(paths, 25)).toEqual(['/*']);
    expect(invalidationPathsFor(paths.slice(0, 25), 25)).toHaveLength(25);
  });

  it('collapses when a file name holds a * that CloudFront would read as a wildcard', () => {
    expect(invalidationPathsFor(['a*b.html'], 25)).toEqual(['/*']);
  });

  it('percent-encodes unsafe and non-ASCII characters only', () => {
    expect(encodeInvalidationPath('my file #1.html')).toBe('/my%20file%20%231.html');
    expect(encodeInvalidationPath('café/ü+x~y.json')).toBe('/caf%C3%A9/%C3%BC+x~y.json');
  });

  it('returns nothing for nothing', () => {
    expect(invalidationPathsFor([], 25)).toEqual([]);
  });
});
