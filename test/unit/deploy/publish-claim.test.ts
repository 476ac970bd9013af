import { describe, expect, it } from 'vitest';
import { contentDigest } from '../../../agent/src/deploy/publish.js';
import {
  acquirePublishClaim,
  isClaimFree,
  type PublishClaim,
  PublishClaimSchema,
  publishClaimKeyFor,
} from '../../../agent/src/deploy/publish-claim.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { isExpiredByServerClock } from '../../../agent/src/deploy/s3-clock.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha, manifestOf } from '../../support/deploy-fixtures.js';
import { FakeS3 } from '../../support/fake-s3.js';

/** Issue 10 §2: the per-commit publish claim that keeps two publishers from interleaving uploads. */

const BUCKET = 'artifacts-1';
const COMMIT = commitSha(1);
const KEY = `builds/${COMMIT}/publish.json`;
const at = (iso: string) => new Date(iso);

describe('expiry is judged by S3 clock only', () => {
  const written = at('2026-11-23T10:00:00Z');

  it('expires once Date − Last-Modified reaches the TTL', () => {
    expect(
      isExpiredByServerClock({ lastModified: written, serverNow: at('2026-11-23T10:04:59Z') }, 300),
    ).toBe(false);
    expect(
      isExpiredByServerClock({ lastModified: written, serverNow: at('2026-11-23T10:05:00Z') }, 300),
    ).toBe(true);
  });

  it('never expires when either time is unknown (waited on, never taken over)', () => {
    expect(
      isExpiredByServerClock({ lastModified: undefined, serverNow: at('2030-01-01T00:00:00Z') }, 1),
    ).toBe(false);
    expect(isExpiredByServerClock({ lastModified: written, serverNow: undefined }, 1)).toBe(false);
  });

  it('a released claim is free at once', () => {
    const claim = claimOf('someone-else-1', { released: true });
    expect(isClaimFree({ claim, etag: '"x"', times: { lastModified: written, serverNow: written } })).toBe(
      true,
    );
    expect(
      isClaimFree({
        claim: { ...claim, released: false },
        etag: '"x"',
        times: { lastModified: written, serverNow: written },
      }),
    ).toBe(false);
  });
});

describe('publishClaimKeyFor and contentDigest', () => {
  it('puts the claim beside build.json', () => {
    const sync = parseSyncCommand('aws s3 sync s3://art-1/builds/{commit}/site/ s3://host-1/');
    expect(publishClaimKeyFor(sync, COMMIT)).toBe(KEY);
    const flat = parseSyncCommand('aws s3 sync s3://art-1/builds/{commit}/ s3://host-1/');
    expect(publishClaimKeyFor(flat, COMMIT)).toBe(`builds/${COMMIT}.publish.json`);
  });

  it('digests content, not headers or build time', () => {
    const a = manifestOf(COMMIT, { 'index.html': 'a', 'version.json': '{}' });
    const b = manifestOf(COMMIT, { 'version.json': '{}', 'index.html': 'a' });
    expect(contentDigest(a)).toBe(contentDigest({ files: [...b.files].reverse() }));
    expect(contentDigest(a)).not.toBe(
      contentDigest(manifestOf(COMMIT, { 'index.html': 'b', 'version.json': '{}' })),
    );
  });
});

function claimOf(claimId: string, extra: Partial<PublishClaim> = {}): PublishClaim {
  return PublishClaimSchema.parse({
    schema: 1,
    claimId,
    commit: COMMIT,
    owner: `${claimId} on ci (pid 1)`,
    ttlSeconds: 300,
    digest: 'a'.repeat(64),
    acquiredAt: '2026-11-23T10:00:00.000Z',
    renewal: 0,
    released: false,
    ...extra,
  });
}

function setup() {
  const s3 = new FakeS3([BUCKET]);
  let clock = 0;
  const waits: string[] = [];
  const deps = {
    s3: s3.client,
    runner: createRequestRunner({ sleep: async () => {} }),
    sleep: async (ms: number) => {
      clock += ms;
    },
    elapsedMs: () => clock,
    onWait: (holder: PublishClaim) => waits.push(holder.owner),
  };
  const request = {
    bucket: BUCKET,
    key: KEY,
    claim: {
      schema: 1 as const,
      claimId: 'mine-000001',
      commit: COMMIT,
      owner: 'me on laptop (pid 2)',
      ttlSeconds: 300,
      digest: 'b'.repeat(64),
      acquiredAt: '2026-11-23T10:00:00.000Z',
    },
    pollMs: 1000,
    maxWaitMs: 10_000,
  };
  const stored = () => PublishClaimSchema.parse(JSON.parse(s3.text(BUCKET, KEY) ?? 'null'));
  return { s3, deps, request, waits, stored };
}

describe('acquirePublishClaim', () => {
  it('takes a free claim with If-None-Match and releases it by marking it released', async () => {
    const h = setup();
    const result = await acquirePublishClaim(h.deps, h.request, async () => undefined);
    expect('handle' in result).toBe(true);
    expect(h.stored()).toMatchObject({ claimId: 'mine-000001', released: false });
    if ('handle' in result) await result.handle.release();
    expect(h.stored()).toMatchObject({ claimId: 'mine-000001', released: true });
  });

  it('waits on a live holder and stops as soon as the commit is published', async () => {
    const h = setup();
    h.s3.put(BUCKET, KEY, JSON.stringify(claimOf('theirs-00001')));
    let checks = 0;
    const result = await acquirePublishClaim(h.deps, h.request, async () => {
      checks += 1;
      return checks === 3 ? 'published by them' : undefined;
    });
    expect(result).toEqual({ done: 'published by them' });
    expect(h.waits).toEqual(['theirs-00001 on ci (pid 1)']);
    expect(h.stored().claimId).toBe('theirs-00001');
  });

  it('gives up with PUBLISH_IN_PROGRESS after the wait budget, never touching the holder', async () => {
    const h = setup();
    h.s3.put(BUCKET, KEY, JSON.stringify(claimOf('theirs-00001')));
    const before = h.s3.text(BUCKET, KEY);
    const error = await acquirePublishClaim(h.deps, h.request, async () => undefined).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FrontendOpsError);
    expect((error as FrontendOpsError).code).toBe('PUBLISH_IN_PROGRESS');
    expect((error as FrontendOpsError).message).toContain('theirs-00001 on ci');
    expect(h.s3.text(BUCKET, KEY)).toBe(before);
  });

  it('takes over a released claim conditionally on its ETag, and looks for build.json once more', async () => {
    const h = setup();
    h.s3.put(BUCKET, KEY, JSON.stringify(claimOf('theirs-00001', { released: true })));
    let checks = 0;
    const result = await acquirePublishClaim(h.deps, h.request, async () => {
      checks += 1;
      return undefined;
    });
    expect('handle' in result).toBe(true);
    expect(checks).toBe(2);
    expect(h.stored().claimId).toBe('mine-000001');
    const put = h.s3.calls.filter((c) => c.operation === 'PutObject');
    expect(put).toHaveLength(2);
  });

  it('releases the claim it just took when the commit turns out to be published already', async () => {
    const h = setup();
    let checks = 0;
    const error = await acquirePublishClaim(h.deps, h.request, async () => {
      checks += 1;
      if (checks === 2) throw new FrontendOpsError('BUILD_EXISTS', 'a different complete build');
      return undefined;
    }).catch((e: unknown) => e);
    expect((error as FrontendOpsError).code).toBe('BUILD_EXISTS');
    expect(h.stored()).toMatchObject({ claimId: 'mine-000001', released: true });
  });

  it('a holder whose claim was taken over loses it at the next renewal (LOCK_LOST)', async () => {
    const h = setup();
    const result = await acquirePublishClaim(h.deps, h.request, async () => undefined);
    if (!('handle' in result)) throw new Error('expected the claim');
    h.s3.put(BUCKET, KEY, JSON.stringify(claimOf('thief-000001')));
    const error = await result.handle.keepAlive(true).catch((e: unknown) => e);
    expect((error as FrontendOpsError).code).toBe('LOCK_LOST');
    await result.handle.release();
    expect(h.stored().claimId).toBe('thief-000001');
    expect(h.stored().released).toBe(false);
  });
});
