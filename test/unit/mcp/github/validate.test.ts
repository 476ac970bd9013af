import { describe, expect, it } from 'vitest';
import { FrontendOpsError } from '../../../../agent/src/errors.js';
import {
  validateCommitSha,
  validateIsoTimestamp,
  validateRepoCoordinates,
  validateRepoPath,
  validateRevision,
  validateTagFilter,
  validateTagMessage,
  validateTagName,
  validateTagPrefix,
} from '../../../../agent/src/mcp/github/validate.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof FrontendOpsError ? error.code : 'not a FrontendOpsError';
  }
}

const SHA = 'a'.repeat(40);

describe('tag names', () => {
  it.each(['dashboard-deploy-20260101-1', 'v1.2.3', 'release/2026.01', 'a@b'])('accepts %s', (tag) => {
    expect(validateTagName(tag)).toBe(tag);
  });

  it.each([
    '../x',
    'refs/heads/main',
    'refs/tags/x',
    'has space',
    'a..b',
    'a@{1}',
    'x.lock',
    '-x',
    '--force',
    'HEAD',
    'a~1',
    'a:b',
    'tab\tname',
    'nul\u0000',
    '',
    'x'.repeat(201),
  ])('refuses %j with TAG_INVALID', (tag) => {
    expect(codeOf(() => validateTagName(tag))).toBe('TAG_INVALID');
  });

  it('checks prefixes by the tag they would make, and filters as a leading part', () => {
    expect(validateTagPrefix('dashboard-deploy-')).toBe('dashboard-deploy-');
    expect(codeOf(() => validateTagPrefix(''))).toBe('TAG_INVALID');
    expect(codeOf(() => validateTagPrefix('bad prefix-'))).toBe('TAG_INVALID');
    expect(codeOf(() => validateTagPrefix('refs/tags/'))).toBe('TAG_INVALID');
    expect(validateTagFilter('')).toBe('');
    expect(validateTagFilter('release/')).toBe('release/');
    expect(codeOf(() => validateTagFilter('a..'))).toBe('TAG_INVALID');
  });
});

describe('commit shas and revisions', () => {
  it('create_tag takes only a full 40-hex sha, lower-cased', () => {
    expect(validateCommitSha(SHA)).toBe(SHA);
    expect(validateCommitSha('ABCDEF'.padEnd(40, '0'))).toBe('abcdef'.padEnd(40, '0'));
    for (const bad of [
      'HEAD;rm',
      'HEAD',
      'abc123',
      `${SHA}0`,
      `${SHA.slice(1)}g`,
      ` ${SHA.slice(1)}`,
      '-'.repeat(40),
    ]) {
      expect(
        codeOf(() => validateCommitSha(bad)),
        bad,
      ).toBe('BAD_INPUT');
    }
  });

  it('revisions are shas, branches or tags, never options or expressions', () => {
    for (const good of ['main', 'feature/x', SHA, 'abc1234', 'v1.2.3', 'HEAD']) {
      expect(validateRevision(good)).toBe(good);
    }
    for (const bad of [
      'HEAD;rm',
      '--all',
      '-n1',
      'HEAD~1',
      'HEAD^',
      'main@{1}',
      'a..b',
      'a b',
      '$(id)',
      '`id`',
      'a|b',
      '',
    ]) {
      expect(
        codeOf(() => validateRevision(bad)),
        bad,
      ).toBe('BAD_INPUT');
    }
  });
});

describe('owner and repo', () => {
  it('accepts GitHub names', () => {
    expect(validateRepoCoordinates({ owner: 'sophia-ai', repo: 'sophia.dashboard_2' })).toEqual({
      owner: 'sophia-ai',
      repo: 'sophia.dashboard_2',
    });
  });

  it.each([
    { owner: 'sophia/ai', repo: 'sophia' },
    { owner: 'sophia-ai', repo: 'sophia/other' },
    { owner: '../etc', repo: 'x' },
    { owner: 'sophia-ai', repo: '..' },
    { owner: '', repo: 'x' },
    { owner: '-lead', repo: 'x' },
    { owner: 'a b', repo: 'x' },
    { owner: 'x', repo: 'a?b' },
  ])('refuses %j with BAD_INPUT', (input) => {
    expect(codeOf(() => validateRepoCoordinates(input))).toBe('BAD_INPUT');
  });
});

describe('messages, paths and dates', () => {
  it('refuses NUL and empty messages, keeps everything else verbatim', () => {
    const message = '# heading kept\n\n{"release": 1}\n';
    expect(validateTagMessage(message)).toBe(message);
    expect(codeOf(() => validateTagMessage('a\u0000b'))).toBe('BAD_INPUT');
    expect(codeOf(() => validateTagMessage('  \n'))).toBe('BAD_INPUT');
  });

  it('paths are relative and cannot climb', () => {
    expect(validateRepoPath('sophia-dashboard/')).toBe('sophia-dashboard/');
    expect(validateRepoPath(':(glob)*')).toBe(':(glob)*');
    for (const bad of ['/etc/passwd', '../x', 'a/../../b', './a', 'a//b', 'a\u0000', '']) {
      expect(
        codeOf(() => validateRepoPath(bad)),
        bad,
      ).toBe('BAD_INPUT');
    }
  });

  it('since/until are ISO 8601', () => {
    expect(validateIsoTimestamp('since', '2026-01-01')).toBe('2026-01-01');
    expect(validateIsoTimestamp('since', '2026-01-01T10:00:00Z')).toBe('2026-01-01T10:00:00Z');
    expect(codeOf(() => validateIsoTimestamp('since', 'yesterday'))).toBe('BAD_INPUT');
    expect(codeOf(() => validateIsoTimestamp('since', '--all'))).toBe('BAD_INPUT');
  });
});
