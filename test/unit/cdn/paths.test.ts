import { describe, expect, it } from 'vitest';
import {
  MAX_INVALIDATION_PATHS,
  MAX_WILDCARD_PATHS,
  normalizeInvalidationPaths,
} from '../../../agent/src/cdn/paths.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';

function rejection(paths: string[]): { code: string; message: string } {
  try {
    normalizeInvalidationPaths(paths);
  } catch (error) {
    if (isFrontendOpsError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('normalizeInvalidationPaths', () => {
  it('keeps valid paths in order and drops duplicates', () => {
    expect(normalizeInvalidationPaths(['/index.html', '/', '/index.html', '/manifest.webmanifest'])).toEqual([
      '/index.html',
      '/',
      '/manifest.webmanifest',
    ]);
  });

  it('collapses everything under "/*" to just "/*"', () => {
    expect(normalizeInvalidationPaths(['/index.html', '/*', '/assets/*', '/a.js'])).toEqual(['/*']);
  });

  it('drops paths a narrower wildcard covers, keeps the rest', () => {
    expect(normalizeInvalidationPaths(['/docs/a.html', '/docs/*', '/docs/deep/*', '/index.html'])).toEqual([
      '/docs/*',
      '/index.html',
    ]);
  });

  it.each([
    [['*'], /must start with "\/"/],
    [['index.html'], /must start with "\/"/],
    [['/a\nb'], /control character/],
    [['/a\u0000'], /control character/],
    [['/a\u007f'], /control character/],
    [['/a*/b'], /only allowed as the last character/],
    [[], /no paths/],
    [[`/${'a'.repeat(5000)}`], /longer than/],
  ])('refuses %j with INVALIDATION_REJECTED', (paths, message) => {
    const { code, message: text } = rejection(paths);
    expect(code).toBe('INVALIDATION_REJECTED');
    expect(text).toMatch(message);
  });

  it('escapes the offending path in the message (no raw control characters echoed)', () => {
    expect(rejection(['/ok', '/bad\r\nInjected: yes']).message).toContain('path 2 "/bad\\r\\nInjected: yes"');
  });

  it(`accepts ${MAX_INVALIDATION_PATHS} file paths and refuses ${MAX_INVALIDATION_PATHS + 1}`, () => {
    const paths = Array.from({ length: MAX_INVALIDATION_PATHS + 1 }, (_, i) => `/f${i}.html`);
    expect(normalizeInvalidationPaths(paths.slice(0, MAX_INVALIDATION_PATHS))).toHaveLength(
      MAX_INVALIDATION_PATHS,
    );
    expect(rejection(paths)).toMatchObject({ code: 'INVALIDATION_REJECTED', message: /3001 paths/ });
  });

  it(`accepts ${MAX_WILDCARD_PATHS} wildcards and refuses ${MAX_WILDCARD_PATHS + 1}`, () => {
    const wildcards = Array.from({ length: MAX_WILDCARD_PATHS + 1 }, (_, i) => `/d${i}/*`);
    expect(normalizeInvalidationPaths(wildcards.slice(0, MAX_WILDCARD_PATHS))).toHaveLength(
      MAX_WILDCARD_PATHS,
    );
    expect(rejection(wildcards)).toMatchObject({
      code: 'INVALIDATION_REJECTED',
      message: /16 wildcard paths/,
    });
  });

  it('counts limits after collapsing: 3,001 paths under one wildcard are fine', () => {
    const paths = [...Array.from({ length: 3001 }, (_, i) => `/assets/f${i}.js`), '/assets/*'];
    expect(normalizeInvalidationPaths(paths)).toEqual(['/assets/*']);
  });
});
