import { describe, expect, it } from 'vitest';
import { checkRefFormat } from '../../../../agent/src/mcp/github/ref-format.js';

describe('checkRefFormat (git check-ref-format rules)', () => {
  it.each([
    'refs/tags/dashboard-deploy-20260101-1',
    'refs/heads/main',
    'refs/tags/v1.2.3',
    'refs/tags/release/2026.01',
    'refs/tags/ünïcode',
    'refs/tags/a@b',
    'refs/tags/-dash',
    'refs/tags/with.dot',
  ])('accepts %s', (name) => {
    expect(checkRefFormat(name)).toEqual({ ok: true });
  });

  it.each([
    ['refs/tags/has space', 'a space'],
    ['refs/tags/../x', "'..'"],
    ['refs/tags/a..b', "'..'"],
    ['refs/tags/a@{1}', "'@{'"],
    ['refs/tags/x.lock', '.lock'],
    ['refs/tags/.hidden', "begins with '.'"],
    ['refs/tags/trailing.', "ends with '.'"],
    ['refs/tags/trailing/', 'empty path component'],
    ['/refs/tags/x', 'empty path component'],
    ['refs//tags/x', 'empty path component'],
    ['refs/tags/ctl\u0001', 'control character'],
    ['refs/tags/del\u007f', 'control character'],
    ['refs/tags/nul\u0000', 'control character'],
    ['refs/tags/new\nline', 'control character'],
    ['refs/tags/a~1', "'~'"],
    ['refs/tags/a^', "'^'"],
    ['refs/tags/a:b', "':'"],
    ['refs/tags/a?', "'?'"],
    ['refs/tags/a*', "'*'"],
    ['refs/tags/a[b', "'['"],
    ['refs/tags/a\\b', "'\\'"],
    ['@', "'@'"],
    ['', 'empty'],
  ])('refuses %j (%s)', (name, reason) => {
    const result = checkRefFormat(name);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('needs a slash unless one-level names are allowed', () => {
    expect(checkRefFormat('main').ok).toBe(false);
    expect(checkRefFormat('main', { allowOneLevel: true })).toEqual({ ok: true });
  });
});
