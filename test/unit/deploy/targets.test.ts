import { describe, expect, it } from 'vitest';
import { boundStackBuckets } from '../../../agent/src/deploy/bound-target.js';
import {
  assertNoReservedSitePaths,
  assertWritableSiteKeys,
  assertWritableSitePaths,
  isReservedKey,
  isReservedSiteObject,
  reservedSitePathReason,
} from '../../../agent/src/deploy/reserved.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';

/** Issue 10 §1: a deploy only ever touches the stack's own buckets, and never a reserved key. */

function thrown(run: () => unknown): FrontendOpsError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrontendOpsError) return error;
    throw error;
  }
  throw new Error('expected a FrontendOpsError');
}

const STACK = 'dashboard-hosting-prod';
const OUTPUTS = { artifactsBucket: 'art-1a2b', hostingBucket: 'host-3c4d' };
const sync = (from: string, to: string) =>
  parseSyncCommand(`aws s3 sync s3://${from}/builds/{commit}/site/ s3://${to}/ --delete`);

describe('boundStackBuckets: the syncCommand must name the stack bucket outputs', () => {
  it('accepts the stack buckets and returns them', () => {
    expect(boundStackBuckets(sync('art-1a2b', 'host-3c4d'), OUTPUTS, STACK)).toEqual(OUTPUTS);
  });

  it('refuses a foreign destination, naming both values', () => {
    const error = thrown(() => boundStackBuckets(sync('art-1a2b', 'someone-elses-bucket'), OUTPUTS, STACK));
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(error.message).toContain('someone-elses-bucket');
    expect(error.message).toContain('host-3c4d');
    expect(error.data).toMatchObject({ destination: 'someone-elses-bucket', hostingBucket: 'host-3c4d' });
  });

  it('refuses a foreign source, naming both values', () => {
    const error = thrown(() => boundStackBuckets(sync('other-artifacts', 'host-3c4d'), OUTPUTS, STACK));
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(error.message).toContain('other-artifacts');
    expect(error.message).toContain('art-1a2b');
  });

  it('refuses source and destination swapped, saying so', () => {
    const error = thrown(() => boundStackBuckets(sync('host-3c4d', 'art-1a2b'), OUTPUTS, STACK));
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(error.message).toContain('swapped');
  });

  it('refuses a stack that exports no bucket outputs instead of trusting the syncCommand', () => {
    for (const outputs of [{}, { artifactsBucket: 'art-1a2b' }, { hostingBucket: 'host-3c4d' }]) {
      const error = thrown(() => boundStackBuckets(sync('art-1a2b', 'host-3c4d'), outputs, STACK));
      expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
      expect(error.message).toMatch(/exports no (artifactsBucket|hostingBucket)/);
    }
  });
});

describe('reserved paths', () => {
  it('reserves builds/, releases/, locks/, jobs/ and the root deployments.json, byte for byte', () => {
    for (const path of ['builds/x/site/a.js', 'releases/s/current.json', 'locks/s.json', 'jobs/j.json']) {
      expect(reservedSitePathReason(path), path).toMatch(/reserved prefix/);
      expect(isReservedKey(path), path).toBe(true);
    }
    expect(reservedSitePathReason('deployments.json')).toBe('an engine-owned file');
    for (const path of [
      'Builds/a.js',
      'assets/builds/a.js',
      'docs/deployments.json',
      'buildsx/a',
      'index.html',
    ]) {
      expect(reservedSitePathReason(path), path).toBeUndefined();
      expect(isReservedKey(path), path).toBe(false);
    }
  });

  it('applies both rules under a hosting prefix', () => {
    expect(isReservedSiteObject('site/', 'deployments.json')).toBe(true);
    expect(isReservedSiteObject('site/', 'builds/a.js')).toBe(true);
    expect(isReservedSiteObject('', 'deployments.json')).toBe(true);
    expect(isReservedSiteObject('site/', 'index.html')).toBe(false);
  });

  it('refuses a build naming reserved paths, listing them', () => {
    const error = thrown(() =>
      assertNoReservedSitePaths(['index.html', 'releases/x.json', 'deployments.json'], 'the build', 'hint'),
    );
    expect(error.code).toBe('RESERVED_PATH');
    expect(error.message).toContain('releases/x.json');
    expect(error.message).toContain('deployments.json');
    expect(error.data).toMatchObject({ count: 2 });
  });

  it('guards writes and deletes of reserved keys, in any bucket', () => {
    expect(() => assertWritableSiteKeys('any-bucket', ['index.html', 'assets/a.js'], 'delete')).not.toThrow();
    const error = thrown(() =>
      assertWritableSiteKeys('any-bucket', ['index.html', 'locks/prod.json'], 'delete'),
    );
    expect(error.code).toBe('RESERVED_PATH');
    expect(error.message).toContain('s3://any-bucket/locks/prod.json');
    expect(
      thrown(() =>
        assertWritableSitePaths({ bucket: 'b', prefix: 'site/' }, ['deployments.json'], 'overwrite'),
      ).code,
    ).toBe('RESERVED_PATH');
  });
});
