import { describe, expect, it } from 'vitest';
import { sameContent } from '../../../agent/src/deploy/publish.js';
import { commitSha, manifestOf } from '../../support/deploy-fixtures.js';

describe('publish: what counts as the same build', () => {
  const base = manifestOf(commitSha(1), { 'index.html': '<html>', 'app.js': 'x' });

  it('is the same paths with the same bytes, whatever the headers or build time', () => {
    const rebuilt = {
      ...base,
      builtAt: '2026-11-24T00:00:00.000Z',
      files: base.files.map((f) => ({ ...f, cacheControl: 'no-store' })).reverse(),
    };
    expect(sameContent(base, rebuilt)).toBe(true);
  });

  it('differs when a file changed, was added or was renamed', () => {
    expect(sameContent(base, manifestOf(commitSha(1), { 'index.html': '<html>', 'app.js': 'y' }))).toBe(
      false,
    );
    expect(
      sameContent(base, manifestOf(commitSha(1), { 'index.html': '<html>', 'app.js': 'x', 'b.js': '' })),
    ).toBe(false);
    expect(sameContent(base, manifestOf(commitSha(1), { 'index.html': '<html>', 'App.js': 'x' }))).toBe(
      false,
    );
  });
});
