import { describe, expect, it } from 'vitest';
import { FrontendOpsError } from '../../../../agent/src/errors.js';
import {
  createNextDeployTag,
  deployDateStamp,
  deployTagNumber,
  nextDeployTag,
  nextDeployTagNumber,
  resolveDeployDate,
} from '../../../../agent/src/mcp/github/deploy-tag.js';
import { compareTagNames, pageTagNames } from '../../../../agent/src/mcp/github/tag-order.js';
import { FakeBackend, fakeCommit } from './fake-backend.js';

const PREFIX = 'dashboard-deploy-';
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const REPO = { owner: 'sophia-ai', repo: 'sophia' };
const now = () => new Date('2026-03-09T23:59:59Z');

describe('deploy tag dates', () => {
  it('uses the UTC date of the clock', () => {
    expect(deployDateStamp(new Date('2026-03-09T23:59:59-05:00'))).toBe('20260310');
    expect(resolveDeployDate(undefined, now)).toBe('20260309');
  });

  it('takes YYYY-MM-DD, YYYYMMDD or a zoned date-time (its UTC date)', () => {
    expect(resolveDeployDate('2026-02-28', now)).toBe('20260228');
    expect(resolveDeployDate('20260228', now)).toBe('20260228');
    expect(resolveDeployDate('2026-02-28T22:30:00-04:00', now)).toBe('20260301');
  });

  it.each(['2026-02-30', '20261301', 'tomorrow', '2026-02-28T10:00:00', '2026-1-1', ''])(
    'refuses %j',
    (date) => {
      expect(() => resolveDeployDate(date, now)).toThrow(FrontendOpsError);
    },
  );
});

describe('deploy tag numbers', () => {
  it('parses N only from that prefix and day', () => {
    expect(deployTagNumber('dashboard-deploy-20260309-7', PREFIX, '20260309')).toBe(7);
    expect(deployTagNumber('dashboard-deploy-20260308-7', PREFIX, '20260309')).toBeUndefined();
    expect(deployTagNumber('dashboard-deploy-20260309-7-rc', PREFIX, '20260309')).toBeUndefined();
    expect(deployTagNumber('dashboard-deploy-20260309-0', PREFIX, '20260309')).toBeUndefined();
    expect(deployTagNumber('other-20260309-7', PREFIX, '20260309')).toBeUndefined();
  });

  it('is one more than the highest that day, robust to gaps and noise', () => {
    const names = [
      'dashboard-deploy-20260309-1',
      'dashboard-deploy-20260309-2',
      'dashboard-deploy-20260309-9',
      'dashboard-deploy-20260309-10',
      'dashboard-deploy-20260308-40',
      'dashboard-deploy-20260309-x',
    ];
    expect(nextDeployTagNumber(names, PREFIX, '20260309')).toBe(11);
    expect(nextDeployTagNumber([], PREFIX, '20260309')).toBe(1);
    expect(nextDeployTagNumber([], PREFIX, '20260309', 4)).toBe(5);
  });

  it('names the next tag without writing', async () => {
    const backend = new FakeBackend([fakeCommit(A, 'a')]);
    backend.tags.set('dashboard-deploy-20260309-1', { sha: A, message: 'm' });
    backend.tags.set('dashboard-deploy-20260309-3', { sha: A, message: 'm' });
    expect(await nextDeployTag(backend, { ...REPO, prefix: PREFIX, stamp: '20260309' })).toBe(
      'dashboard-deploy-20260309-4',
    );
    expect(backend.createCalls).toEqual([]);
  });
});

describe('createNextDeployTag', () => {
  it('two racing deploys never get the same tag', async () => {
    const backend = new FakeBackend([fakeCommit(A, 'a'), fakeCommit(B, 'b')]);
    const request = { ...REPO, prefix: PREFIX, stamp: '20260309' };
    const [first, second] = await Promise.all([
      createNextDeployTag(backend, { ...request, sha: A, message: 'release A' }),
      createNextDeployTag(backend, { ...request, sha: B, message: 'release B' }),
    ]);
    expect(new Set([first.tag, second.tag]).size).toBe(2);
    expect([first.tag, second.tag].sort()).toEqual([
      'dashboard-deploy-20260309-1',
      'dashboard-deploy-20260309-2',
    ]);
    expect(backend.tags.get(first.tag)?.sha).toBe(first.sha);
    expect(backend.tags.get(second.tag)?.sha).toBe(second.sha);
    expect(first.created && second.created).toBe(true);
  });

  it('on TAG_CONFLICT takes the next N', async () => {
    const backend = new FakeBackend([fakeCommit(A, 'a'), fakeCommit(B, 'b')]);
    // Another deploy creates -1 on B between our listing and our create.
    backend.beforeCreate = (tag) => {
      if (tag === 'dashboard-deploy-20260309-1' && !backend.tags.has(tag)) {
        backend.tags.set(tag, { sha: B, message: 'release B' });
      }
    };
    const result = await createNextDeployTag(backend, {
      ...REPO,
      prefix: PREFIX,
      stamp: '20260309',
      sha: A,
      message: 'A',
    });
    expect(result).toEqual({ tag: 'dashboard-deploy-20260309-2', sha: A, created: true });
    expect(backend.createCalls).toEqual(['dashboard-deploy-20260309-1', 'dashboard-deploy-20260309-2']);
  });

  it('a retried request reuses its tag instead of tagging the release twice', async () => {
    const backend = new FakeBackend([fakeCommit(A, 'a')]);
    const request = { ...REPO, prefix: PREFIX, stamp: '20260309', sha: A, message: 'release 1\n' };
    const first = await createNextDeployTag(backend, request);
    const again = await createNextDeployTag(backend, request);
    expect(again).toEqual({ tag: first.tag, sha: A, created: false });
    // A different release of the same commit gets its own tag.
    const other = await createNextDeployTag(backend, { ...request, message: 'release 2' });
    expect(other).toEqual({ tag: 'dashboard-deploy-20260309-2', sha: A, created: true });
  });

  it('gives up with TAG_CONFLICT after the attempt limit', async () => {
    const backend = new FakeBackend([fakeCommit(A, 'a'), fakeCommit(B, 'b')]);
    backend.beforeCreate = (tag) => {
      if (!backend.tags.has(tag)) backend.tags.set(tag, { sha: B, message: 'someone else' });
    };
    await expect(
      createNextDeployTag(backend, {
        ...REPO,
        prefix: PREFIX,
        stamp: '20260309',
        sha: A,
        message: 'A',
        maxAttempts: 3,
      }),
    ).rejects.toMatchObject({ code: 'TAG_CONFLICT' });
    expect(backend.createCalls).toHaveLength(3);
  });

  it('passes other errors through', async () => {
    const backend = new FakeBackend([]);
    await expect(
      createNextDeployTag(backend, { ...REPO, prefix: PREFIX, stamp: '20260309', sha: A, message: 'A' }),
    ).rejects.toMatchObject({ code: 'COMMIT_NOT_FOUND' });
  });
});

describe('tag order', () => {
  it('is version-aware, highest first, and pages', () => {
    const names = [
      'v1.9.0',
      'v1.10.0',
      'v1.2.0',
      'dashboard-deploy-20260309-9',
      'dashboard-deploy-20260309-10',
    ];
    expect(pageTagNames(names, 10, 1)).toEqual([
      'v1.10.0',
      'v1.9.0',
      'v1.2.0',
      'dashboard-deploy-20260309-10',
      'dashboard-deploy-20260309-9',
    ]);
    expect(pageTagNames(names, 2, 2)).toEqual(['v1.2.0', 'dashboard-deploy-20260309-10']);
    expect(pageTagNames(names, 2, 4)).toEqual([]);
    expect(compareTagNames('a-01', 'a-1')).not.toBe(0);
  });
});
