import { describe, expect, it } from 'vitest';
import {
  BuildManifestSchema,
  DeployLockSchema,
  ReleaseRecordSchema,
  SitePathSchema,
} from '../../../agent/src/deploy/schemas.js';
import { commitSha, sha } from '../../support/deploy-fixtures.js';

const file = (path: string) => ({
  path,
  size: 3,
  sha256: sha('abc'),
  contentType: 'text/plain',
  cacheControl: 'no-cache',
});

describe('site paths', () => {
  it.each([
    'index.html',
    'assets/index-BrX3k_9a.js',
    'my file+1.txt',
    'caf\u00e9/日本語.html',
    'a'.repeat(1024),
  ])('accepts %s', (path) => {
    expect(SitePathSchema.safeParse(path).success).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['leading slash', '/index.html'],
    ['trailing slash', 'docs/'],
    ['empty segment', 'docs//a.html'],
    ['dot segment', 'docs/./a.html'],
    ['dot-dot segment', '../secrets.txt'],
    ['backslash', 'docs\\a.html'],
    ['newline', 'a\nb.html'],
    ['NUL', 'a\u0000.html'],
    ['over 1,024 bytes in UTF-8', 'é'.repeat(513)],
  ])('refuses %s', (_name, path) => {
    expect(SitePathSchema.safeParse(path).success).toBe(false);
  });
});

describe('build manifest', () => {
  const manifest = {
    schema: 1,
    commit: commitSha(1),
    builtAt: '2026-11-23T09:00:00.000Z',
    files: [file('a.txt')],
  };

  it('parses a valid manifest', () => {
    expect(BuildManifestSchema.parse(manifest).files).toHaveLength(1);
  });

  it('refuses duplicates, a short sha, unknown fields, an empty build and a bad sha256', () => {
    expect(
      BuildManifestSchema.safeParse({ ...manifest, files: [file('a.txt'), file('a.txt')] }).success,
    ).toBe(false);
    expect(BuildManifestSchema.safeParse({ ...manifest, commit: 'abc1234' }).success).toBe(false);
    expect(BuildManifestSchema.safeParse({ ...manifest, extra: true }).success).toBe(false);
    expect(BuildManifestSchema.safeParse({ ...manifest, files: [] }).success).toBe(false);
    expect(
      BuildManifestSchema.safeParse({ ...manifest, files: [{ ...file('a'), sha256: 'XYZ' }] }).success,
    ).toBe(false);
    expect(BuildManifestSchema.safeParse({ ...manifest, schema: 2 }).success).toBe(false);
  });

  it('keeps case-different paths as two files', () => {
    expect(
      BuildManifestSchema.safeParse({ ...manifest, files: [file('App.js'), file('app.js')] }).success,
    ).toBe(true);
  });
});

describe('release record', () => {
  const record = {
    schema: 1,
    releaseId: '20261123T100000.000Z-0123456789ab',
    stack: 'dashboard-hosting-prod',
    commit: commitSha(1),
    trigger: 'rollback',
    requestedBy: 'alice',
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:00:05.000Z',
    files: [{ path: 'index.html', sha256: sha('x') }],
    copied: 1,
    unchanged: 0,
    deleted: 0,
  };

  it('accepts the minimum record and defaults retained to []', () => {
    expect(ReleaseRecordSchema.parse(record).retained).toEqual([]);
  });

  it('refuses an unknown trigger, a negative count and a retained file without age', () => {
    expect(ReleaseRecordSchema.safeParse({ ...record, trigger: 'cron' }).success).toBe(false);
    expect(ReleaseRecordSchema.safeParse({ ...record, copied: -1 }).success).toBe(false);
    expect(
      ReleaseRecordSchema.safeParse({ ...record, retained: [{ path: 'a.js', sha256: sha('a') }] }).success,
    ).toBe(false);
  });
});

describe('deploy lock', () => {
  const lock = {
    schema: 1,
    lockId: 'c2b0e6f0-1111-4c6e-9d1f-000000000000',
    stack: 'dashboard-hosting-prod',
    owner: 'alice on laptop (pid 1)',
    trigger: 'cli',
    commit: commitSha(1),
    requestedBy: 'alice',
    acquiredAt: '2026-11-23T10:00:00.000Z',
    renewedAt: '2026-11-23T10:00:00.000Z',
    expiresAt: '2026-11-23T10:15:00.000Z',
  };

  it('requires an expiry and refuses unknown fields', () => {
    expect(DeployLockSchema.safeParse(lock).success).toBe(true);
    const { expiresAt: _gone, ...noExpiry } = lock;
    expect(DeployLockSchema.safeParse(noExpiry).success).toBe(false);
    expect(DeployLockSchema.safeParse({ ...lock, force: true }).success).toBe(false);
  });
});
