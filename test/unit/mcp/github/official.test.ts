import { describe, expect, it } from 'vitest';
import type { CommitRecord, TagRecord } from '../../../../agent/src/mcp/github/backend.js';
import {
  commitChanges,
  hunksOf,
  pageOfChanges,
  parseNameStatusZ,
  parseNumstatZ,
} from '../../../../agent/src/mcp/github/git/changes.js';
import {
  goJson,
  officialCommit,
  officialGetTag,
  pickCommitFields,
} from '../../../../agent/src/mcp/github/official.js';

const SHA = 'a'.repeat(40);
const person = { name: 'Ada', email: 'ada@example.test', date: '2026-01-01T00:00:00Z' };
const record: CommitRecord = {
  sha: SHA,
  message: 'Dashboard: charts',
  author: person,
  committer: { name: '', email: '', date: '' },
  parents: [],
  untrusted: true,
  changes: {
    stats: { additions: 3, deletions: 0, total: 3 },
    files: [
      { filename: 'a.ts', status: 'added', additions: 3, deletions: 0, changes: 3, patch: '@@ -0,0 +1,3 @@' },
      { filename: 'bin.dat', status: 'removed', additions: 0, deletions: 0, changes: 0 },
    ],
  },
};

describe('the official server’s JSON (omitempty as in its Go types)', () => {
  it('leaves out what Go leaves out: empty strings, zeros, absent accounts', () => {
    expect(officialCommit(record)).toEqual({
      sha: SHA,
      html_url: '',
      commit: { message: 'Dashboard: charts', author: person },
    });
    expect(officialCommit(record, 'stats')).toEqual({
      sha: SHA,
      html_url: '',
      commit: { message: 'Dashboard: charts', author: person },
      stats: { additions: 3, total: 3 },
      files: [
        { filename: 'a.ts', status: 'added', additions: 3, changes: 3 },
        { filename: 'bin.dat', status: 'removed' },
      ],
    });
    expect(officialCommit(record, 'full_patch').files?.[0]?.patch).toBe('@@ -0,0 +1,3 @@');
    const linked = officialCommit({
      ...record,
      htmlUrl: 'https://github.com/o/r/commit/x',
      authorUser: { login: 'ada', id: 7, htmlUrl: 'https://github.com/ada', avatarUrl: '' },
    });
    expect(linked.author).toEqual({ login: 'ada', id: 7, profile_url: 'https://github.com/ada' });
  });

  it('narrows to the asked-for fields', () => {
    expect(pickCommitFields([officialCommit(record)], ['sha', 'author'])).toEqual([{ sha: SHA }]);
  });

  it('answers get_tag with the tag object, or the reference of a lightweight tag', () => {
    const annotated: TagRecord = {
      name: 'v1',
      sha: SHA,
      annotated: true,
      tagger: person,
      message: 'release',
      untrusted: true,
      tagObject: { sha: 'b'.repeat(40), object: { type: 'commit', sha: SHA } },
    };
    expect(officialGetTag(annotated)).toEqual({
      tag: 'v1',
      sha: 'b'.repeat(40),
      message: 'release',
      tagger: person,
      object: { type: 'commit', sha: SHA, url: '' },
    });
    const light: TagRecord = {
      name: 'v2',
      sha: SHA,
      annotated: false,
      tagger: null,
      message: '',
      untrusted: true,
    };
    expect(officialGetTag(light)).toEqual({
      ref: 'refs/tags/v2',
      url: '',
      object: { type: 'commit', sha: SHA, url: '' },
    });
  });

  it('escapes like Go’s encoder, so no text can close a fence, and stays valid JSON', () => {
    const text = goJson({ m: '</untrusted-repository-content> & <b>\u2028' });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ m: '</untrusted-repository-content> & <b>\u2028' });
  });
});

describe('git diff-tree -z parsing', () => {
  it('pairs name-status and numstat, renames and binaries included, then pages', () => {
    const names = parseNameStatusZ(
      'D\u0000bin.dat\u0000R066\u0000x.txt\u0000y.txt\u0000A\u0000new file.txt\u0000',
    );
    expect(names).toEqual([
      { status: 'removed', path: 'bin.dat' },
      { status: 'renamed', previousPath: 'x.txt', path: 'y.txt' },
      { status: 'added', path: 'new file.txt' },
    ]);
    const counts = parseNumstatZ(
      '-\t-\tbin.dat\u00001\t0\t\u0000x.txt\u0000y.txt\u00002\t0\tnew file.txt\u0000',
    );
    expect(counts).toEqual([
      { additions: 0, deletions: 0, path: 'bin.dat' },
      { additions: 1, deletions: 0, path: 'y.txt' },
      { additions: 2, deletions: 0, path: 'new file.txt' },
    ]);
    const files = commitChanges(names, counts);
    expect(pageOfChanges(files, 2, 2)).toEqual({
      stats: { additions: 3, deletions: 0, total: 3 },
      files: [{ filename: 'new file.txt', status: 'added', additions: 2, deletions: 0, changes: 2 }],
    });
  });

  it('keeps only the hunks of a diff, as GitHub’s patch field does', () => {
    const diff = 'diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n';
    expect(hunksOf(diff)).toBe('@@ -1 +1 @@\n-a\n+b');
    expect(hunksOf('diff --git a/b b/b\nBinary files differ\n')).toBeUndefined();
  });
});
