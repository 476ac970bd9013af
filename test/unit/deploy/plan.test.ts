import { describe, expect, it } from 'vitest';
import type { CacheRule } from '../../../agent/src/config/schema.js';
import { type PlanOptions, planDeploy, summarizePlan } from '../../../agent/src/deploy/plan.js';
import type { ReleaseRecord } from '../../../agent/src/deploy/schemas.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';
import {
  applyPlan,
  commitSha,
  etagOf,
  listingOf,
  manifestOf,
  type SiteState,
} from '../../support/deploy-fixtures.js';

const OPTIONS: PlanOptions = {
  destination: { bucket: 'hosting-1', prefix: '' },
  delete: true,
  keepReleases: 3,
  collapseAbove: 25,
};

/** A Vite-like build: hashed assets that change with the app version, plus stable files. */
function build(version: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'index.html': `<script src="/assets/index-V${version}aaaaaa.js"></script> v${version}`,
    [`assets/index-V${version}aaaaaa.js`]: `console.log(${version})`,
    'assets/vendor-Stable123.js': 'vendor',
    'favicon.svg': '<svg/>',
    'version.json': `{"commit":"${commitSha(version)}"}`,
    ...extra,
  };
}

const EMPTY: SiteState = { bucket: new Map(), record: undefined };

function deploy(
  state: SiteState,
  version: number,
  contents: Record<string, string>,
  options = OPTIONS,
  rules: CacheRule[] = [],
) {
  const manifest = manifestOf(commitSha(version), contents);
  const plan = planDeploy(manifest, state.record, listingOf(state.bucket), rules, options);
  return { plan, next: applyPlan(state, plan, contents, version) };
}

describe('planDeploy: first deploy', () => {
  const { plan } = deploy(EMPTY, 1, build(1));

  it('copies every file as new, in phase order with index.html last', () => {
    expect(plan.copy.map((c) => [c.phase, c.path])).toEqual([
      ['immutable', 'assets/index-V1aaaaaa.js'],
      ['immutable', 'assets/vendor-Stable123.js'],
      ['other', 'favicon.svg'],
      ['other', 'version.json'],
      ['index', 'index.html'],
    ]);
    expect(new Set(plan.copy.map((c) => c.reason))).toEqual(new Set(['new']));
    expect(plan.unchanged).toEqual([]);
    expect(plan.noop).toBe(false);
    expect(plan.previousCommit).toBeNull();
  });

  it('invalidates only non-immutable paths, index.html as / too, and the engine-owned deployments.json', () => {
    expect(plan.invalidate).toEqual([
      '/',
      '/deployments.json',
      '/favicon.svg',
      '/index.html',
      '/version.json',
    ]);
  });

  it('summarises the plan for a confirmation prompt', () => {
    const summary = summarizePlan(plan, OPTIONS.destination);
    expect(summary.copy.total).toBe(5);
    expect(summary.copy.byPhase).toEqual({ immutable: 2, other: 2, html: 0, index: 1 });
    expect(summary.copy.byReason.new).toBe(5);
    expect(summary.destination).toBe('s3://hosting-1/');
  });
});

describe('planDeploy: redeploy of the live commit', () => {
  const first = deploy(EMPTY, 1, build(1)).next;

  it('is a no-op with nothing to copy, delete or invalidate', () => {
    const { plan } = deploy(first, 1, build(1));
    expect(plan.noop).toBe(true);
    expect(plan.copy).toEqual([]);
    expect(plan.deleteLater).toEqual([]);
    expect(plan.invalidate).toEqual([]);
    expect(plan.unchanged).toHaveLength(5);
  });

  it('repairs drift without becoming a new release for retention', () => {
    const second = deploy(first, 2, build(2)).next;
    const tampered: SiteState = {
      ...second,
      bucket: new Map(second.bucket).set('favicon.svg', '<svg>x</svg>'),
    };
    const { plan } = deploy(tampered, 2, build(2));
    expect(plan.noop).toBe(false);
    expect(plan.copy.map((c) => [c.path, c.reason])).toEqual([['favicon.svg', 'drift']]);
    // release 1's hashed asset keeps age 1: a repair is not a release
    expect(plan.retained.map((r) => [r.path, r.age])).toEqual([['assets/index-V1aaaaaa.js', 1]]);
  });
});

describe('planDeploy: one changed file', () => {
  it('copies just that file and invalidates just it', () => {
    const first = deploy(EMPTY, 1, build(1)).next;
    const { plan } = deploy(first, 1, { ...build(1), 'favicon.svg': '<svg>new</svg>' });
    expect(plan.copy.map((c) => [c.path, c.reason])).toEqual([['favicon.svg', 'changed']]);
    expect(plan.invalidate).toEqual(['/deployments.json', '/favicon.svg']);
    expect(plan.unchanged).toHaveLength(4);
  });

  it('does not invalidate a changed immutable asset', () => {
    const first = deploy(EMPTY, 1, build(1)).next;
    const { plan } = deploy(first, 2, { ...build(1), 'assets/vendor-Stable123.js': 'vendor v2' });
    expect(plan.copy.map((c) => c.path)).toEqual(['assets/vendor-Stable123.js']);
    expect(plan.invalidate).toEqual(['/deployments.json']);
  });
});

describe('planDeploy: rollback to same-size content', () => {
  it('re-copies a file whose size did not change but whose content did (aws s3 sync would skip it)', () => {
    const a = { ...build(1), 'config.js': 'window.MODE="blue"' };
    const b = { ...build(1), 'config.js': 'window.MODE="pink"' };
    expect(Buffer.byteLength(a['config.js'])).toBe(Buffer.byteLength(b['config.js']));
    const s1 = deploy(EMPTY, 1, a).next;
    const s2 = deploy(s1, 2, b).next;
    const { plan } = deploy(s2, 1, a);
    expect(plan.copy.map((c) => [c.path, c.reason])).toEqual([['config.js', 'changed']]);
    expect(plan.previousCommit).toBe(commitSha(2));
  });

  it('restores retained hashed assets of the older release without copying them', () => {
    const s1 = deploy(EMPTY, 1, build(1)).next;
    const s2 = deploy(s1, 2, build(2)).next;
    const { plan } = deploy(s2, 1, build(1));
    // the v1 chunk is still in the bucket (retained) with the ETag recorded: unchanged
    expect(plan.unchanged.map((f) => f.path)).toContain('assets/index-V1aaaaaa.js');
    expect(plan.copy.map((c) => c.path)).toEqual(['version.json', 'index.html']);
    // and the v2 chunk becomes the retained one
    expect(plan.retained.map((r) => r.path)).toEqual(['assets/index-V2aaaaaa.js']);
  });
});

describe('planDeploy: out-of-band changes in the hosting bucket', () => {
  const live = deploy(EMPTY, 1, build(1)).next;

  it('re-copies a file whose ETag no longer matches the record (same size too)', () => {
    const bucket = new Map(live.bucket).set(
      'version.json',
      live.bucket.get('version.json')!.replace(/[0-9a-f]/, 'x'),
    );
    const { plan } = deploy({ ...live, bucket }, 1, build(1));
    expect(plan.copy.map((c) => [c.path, c.reason])).toEqual([['version.json', 'drift']]);
    expect(plan.invalidate).toEqual(['/deployments.json', '/version.json']);
  });

  it('re-copies a recorded file deleted from the bucket', () => {
    const bucket = new Map(live.bucket);
    bucket.delete('assets/vendor-Stable123.js');
    const { plan } = deploy({ ...live, bucket }, 1, build(1));
    expect(plan.copy.map((c) => [c.path, c.reason])).toEqual([['assets/vendor-Stable123.js', 'missing']]);
  });

  it('re-copies a file present in the bucket that no record explains', () => {
    const { plan } = deploy({ bucket: new Map([['favicon.svg', '<svg/>']]), record: undefined }, 1, build(1));
    expect(plan.copy.find((c) => c.path === 'favicon.svg')?.reason).toBe('unknown');
  });

  it('treats a record entry without an ETag as unverifiable', () => {
    const record = { ...live.record!, files: live.record!.files.map((f) => ({ ...f, etag: undefined })) };
    const { plan } = deploy({ ...live, record }, 1, build(1));
    expect(plan.copy).toHaveLength(5);
    expect(new Set(plan.copy.map((c) => c.reason))).toEqual(new Set(['drift']));
  });

  it('ignores a record that describes another destination', () => {
    const record: ReleaseRecord = { ...live.record!, destination: { bucket: 'old-hosting', prefix: '' } };
    const { plan } = deploy({ ...live, record }, 1, build(1));
    expect(plan.previousCommit).toBeNull();
    expect(plan.copy).toHaveLength(5);
  });
});

describe('planDeploy: deletes are deferred and keep the last keepReleases releases', () => {
  it('keeps release N-1 and N-2 files with keepReleases 3 and deletes them at N-3', () => {
    const s1 = deploy(EMPTY, 1, build(1)).next;
    const d2 = deploy(s1, 2, build(2));
    expect(d2.plan.deleteLater).toEqual([]);
    expect(d2.plan.retained.map((r) => [r.path, r.age])).toEqual([['assets/index-V1aaaaaa.js', 1]]);
    const d3 = deploy(d2.next, 3, build(3));
    expect(d3.plan.deleteLater).toEqual([]);
    expect(d3.plan.retained.map((r) => [r.path, r.age])).toEqual([
      ['assets/index-V1aaaaaa.js', 2],
      ['assets/index-V2aaaaaa.js', 1],
    ]);
    const d4 = deploy(d3.next, 4, build(4));
    expect(d4.plan.deleteLater).toEqual(['assets/index-V1aaaaaa.js']);
    expect(d4.plan.retained.map((r) => r.path)).toEqual([
      'assets/index-V2aaaaaa.js',
      'assets/index-V3aaaaaa.js',
    ]);
  });

  it('deletes the previous release files at once with keepReleases 1', () => {
    const s1 = deploy(EMPTY, 1, build(1)).next;
    const { plan } = deploy(s1, 2, build(2), { ...OPTIONS, keepReleases: 1 });
    expect(plan.deleteLater).toEqual(['assets/index-V1aaaaaa.js']);
    expect(plan.retained).toEqual([]);
  });

  // Issue 10 §1 changed this: files no release knows were deleted by --delete; now they are kept
  // and listed until the operator adopts exactly that set.
  it('keeps files no release knows about unless adopted, and deletes nothing at all without --delete', () => {
    const s1 = deploy(EMPTY, 1, build(1)).next;
    const bucket = new Map(s1.bucket).set('stray.txt', 'left over').set('old/folder/', '');
    const kept = deploy({ ...s1, bucket }, 2, build(2)).plan;
    expect(kept.deleteLater).toEqual([]);
    expect(kept.unknown.map((o) => o.path)).toEqual(['old/folder/', 'stray.txt']);
    expect(kept.adoptionId).toMatch(/^[0-9a-f]{12}$/);
    const adopted = deploy({ ...s1, bucket }, 2, build(2), { ...OPTIONS, adopt: kept.adoptionId! }).plan;
    expect(adopted.deleteLater).toEqual(['old/folder/', 'stray.txt']);
    expect(adopted.adopted).toBe(true);
    const noDelete = deploy({ ...s1, bucket }, 2, build(2), { ...OPTIONS, delete: false }).plan;
    expect(noDelete.deleteLater).toEqual([]);
    expect(noDelete.retained.map((r) => r.path)).toEqual(['assets/index-V1aaaaaa.js']);
  });
});

describe('planDeploy: keys compared byte for byte', () => {
  it('treats a case-only rename as a new file plus an old one to retire', () => {
    const s1 = deploy(EMPTY, 1, { ...build(1), 'Logo.png': 'png' }).next;
    const { plan } = deploy(s1, 2, { ...build(1), 'logo.png': 'png' });
    expect(plan.copy.map((c) => [c.path, c.reason])).toEqual([['logo.png', 'new']]);
    expect(plan.retained.map((r) => r.path)).toEqual(['Logo.png']);
  });

  it('handles spaces, unicode and + in keys, and NFC vs NFD as different keys', () => {
    const nfc = 'caf\u00e9.txt';
    const nfd = 'cafe\u0301.txt';
    const files = { ...build(1), 'my file+1.txt': 'a', [nfc]: 'b', '日本語/ページ.html': 'c' };
    const s1 = deploy(EMPTY, 1, files).next;
    expect(deploy(s1, 1, files).plan.noop).toBe(true);
    const { plan } = deploy(s1, 2, {
      ...build(1),
      'my file+1.txt': 'a',
      [nfd]: 'b',
      '日本語/ページ.html': 'c',
    });
    expect(plan.copy.map((c) => c.path)).toEqual([nfd]);
    expect(plan.retained.map((r) => r.path)).toEqual([nfc]);
    expect(deploy(s1, 2, { ...files, '日本語/ページ.html': 'd' }).plan.invalidate).toEqual([
      '/%E6%97%A5%E6%9C%AC%E8%AA%9E/%E3%83%9A%E3%83%BC%E3%82%B8.html',
      '/deployments.json',
    ]);
  });
});

describe('planDeploy: headers and limits', () => {
  it('re-copies unchanged content when a cache rule changes its headers', () => {
    const s1 = deploy(EMPTY, 1, build(1)).next;
    const { plan } = deploy(s1, 1, build(1), OPTIONS, [{ glob: 'version.json', cacheControl: 'no-store' }]);
    expect(plan.copy.map((c) => [c.path, c.reason, c.cacheControl])).toEqual([
      ['version.json', 'headers', 'no-store'],
    ]);
  });

  it('collapses many changed pages to /*', () => {
    const pages = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p/${i}.html`, `page ${i}`]));
    const { plan } = deploy(EMPTY, 1, { ...build(1), ...pages });
    expect(plan.invalidate).toEqual(['/*']);
  });

  it('refuses a key beyond S3 1,024 bytes with the hosting prefix', () => {
    const long = `${'x'.repeat(1010)}.txt`;
    const options = { ...OPTIONS, destination: { bucket: 'hosting-1', prefix: 'a/very/long/prefix/' } };
    try {
      deploy(EMPTY, 1, { ...build(1), [long]: 'x' }, options);
      expect.unreachable();
    } catch (error) {
      expect(isFrontendOpsError(error, 'MANIFEST_INVALID')).toBe(true);
    }
  });

  it('compares ETags regardless of quoting', () => {
    const s1 = deploy(EMPTY, 1, build(1)).next;
    const listing = listingOf(s1.bucket).map((o) => ({ ...o, etag: o.etag.replace(/"/g, '') }));
    const plan = planDeploy(manifestOf(commitSha(1), build(1)), s1.record, listing, [], OPTIONS);
    expect(plan.noop).toBe(true);
    expect(etagOf('x')).toMatch(/^"[0-9a-f]{32}"$/);
  });
});

describe('planDeploy: the release journal', () => {
  it('is never a no-op over a pending release of the same commit: its missing steps still run', () => {
    const live = deploy(EMPTY, 1, build(1)).next;
    const pending: SiteState = { ...live, record: { ...live.record!, status: 'pending' } };
    const { plan } = deploy(pending, 1, build(1));
    expect(plan.copy).toEqual([]);
    expect(plan.noop).toBe(false);
  });

  it('treats files listed by a pending release as known: kept, never unknown or deleted', () => {
    const live = deploy(EMPTY, 1, build(1)).next;
    // release 2 was journaled (pending, full file list) and killed after copying its new chunk
    const half = deploy(live, 2, build(2));
    const bucket = new Map(live.bucket).set(
      'assets/index-V2aaaaaa.js',
      build(2)['assets/index-V2aaaaaa.js']!,
    );
    const pending: SiteState = { bucket, record: { ...half.next.record!, status: 'pending' } };
    const { plan } = deploy(pending, 3, build(3), { ...OPTIONS, keepReleases: 2 });
    expect(plan.copy.map((c) => c.reason)).not.toContain('unknown');
    expect(plan.deleteLater).not.toContain('assets/index-V2aaaaaa.js');
    expect(plan.retained.map((r) => r.path)).toContain('assets/index-V2aaaaaa.js');
  });

  it('never plans to delete the engine-owned deployments.json', () => {
    const live = deploy(EMPTY, 1, build(1)).next;
    const bucket = new Map(live.bucket).set('deployments.json', '{"schema":1}');
    const { plan } = deploy({ ...live, bucket }, 2, build(2));
    expect(plan.deleteLater).not.toContain('deployments.json');
    expect(plan.retained.map((r) => r.path)).not.toContain('deployments.json');
    expect(plan.copy.map((c) => c.path)).not.toContain('deployments.json');
  });
});
