import { describe, expect, it } from 'vitest';
import type { InvalidationResult, Invalidator } from '../../../agent/src/cdn/invalidator.js';
import { type DeployDeps, type DeployRequest, runDeploy } from '../../../agent/src/deploy/pipeline.js';
import { currentReleaseKey, historyPrefix } from '../../../agent/src/deploy/releases.js';
import { ReleaseRecordSchema } from '../../../agent/src/deploy/schemas.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha, manifestOf } from '../../support/deploy-fixtures.js';
import { FakeS3, s3Error } from '../../support/fake-s3.js';

const ARTIFACTS = 'artifacts-1';
const HOSTING = 'hosting-1';
const SYNC = parseSyncCommand(
  `aws s3 sync s3://${ARTIFACTS}/builds/{commit}/site/ s3://${HOSTING}/ --delete`,
);
const URL_ = 'https://d111.cloudfront.example';

function site(version: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'index.html': `<html><script src="/assets/index-V${version}aaaaaa.js"></script></html>`,
    [`assets/index-V${version}aaaaaa.js`]: `console.log(${version})`,
    'assets/vendor-Stable123.js': 'vendor',
    'docs/index.html': '<html>docs</html>',
    'favicon.svg': '<svg/>',
    'version.json': JSON.stringify({ commit: commitSha(version), builtAt: '2026-11-23T09:00:00Z' }),
    ...extra,
  };
}

function publish(s3: FakeS3, version: number, files: Record<string, string>): string {
  const commit = commitSha(version);
  const manifest = manifestOf(commit, files);
  for (const file of manifest.files) {
    s3.put(ARTIFACTS, `builds/${commit}/site/${file.path}`, files[file.path] ?? '', {
      contentType: file.contentType,
      cacheControl: file.cacheControl,
    });
  }
  s3.put(ARTIFACTS, `builds/${commit}/build.json`, JSON.stringify(manifest));
  return commit;
}

interface Harness {
  s3: FakeS3;
  invalidations: Array<{ paths: readonly string[]; atCall: number }>;
  deps: DeployDeps;
  clock: { advance(ms: number): void };
  live: () => string | undefined;
}

function harness(options: { verifyCommit?: () => string | Error } = {}): Harness {
  const s3 = new FakeS3([ARTIFACTS, HOSTING]);
  const invalidations: Harness['invalidations'] = [];
  const invalidator: Invalidator = {
    async invalidate(paths): Promise<InvalidationResult> {
      invalidations.push({ paths, atCall: s3.calls.length });
      return { invalidationId: `I${invalidations.length}`, status: 'Completed', paths: [...paths] };
    },
  };
  let t = Date.parse('2026-11-23T10:00:00Z');
  const live = () => {
    const text = s3.text(HOSTING, 'version.json');
    return text === undefined ? undefined : (JSON.parse(text) as { commit: string }).commit;
  };
  const fakeFetch = (async () => {
    const answer = options.verifyCommit?.() ?? live();
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify({ commit: answer }), { status: answer === undefined ? 404 : 200 });
  }) as typeof fetch;
  return {
    s3,
    invalidations,
    clock: {
      advance: (ms) => {
        t += ms;
      },
    },
    live,
    deps: {
      s3: s3.client,
      invalidator,
      now: () => {
        t += 1;
        return new Date(t);
      },
      fetch: fakeFetch,
      sleep: async () => {},
      random: () => 0,
      identity: { host: 'ci-runner', pid: 42 },
    },
  };
}

function request(commit: string, overrides: Partial<DeployRequest> = {}): DeployRequest {
  return {
    stack: 'prod',
    commit,
    sync: SYNC,
    stackBuckets: { artifactsBucket: ARTIFACTS, hostingBucket: HOSTING },
    url: URL_,
    trigger: 'cli',
    requestedBy: 'alice',
    dryRun: false,
    keepReleases: 3,
    concurrency: 4,
    lockTtlSeconds: 60,
    cacheRules: [],
    invalidation: { collapseAbove: 25, maxWaitSeconds: 60 },
    ...overrides,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<FrontendOpsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FrontendOpsError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function copiedKeys(s3: FakeS3): string[] {
  return s3.calls.filter((c) => c.operation === 'CopyObject').map((c) => c.key ?? '');
}

describe('runDeploy: first deploy', () => {
  it('mirrors the build with headers, index.html last, records the release, invalidates, verifies, unlocks', async () => {
    const h = harness();
    const files = site(1);
    const commit = publish(h.s3, 1, files);
    const report = await runDeploy(h.deps, request(commit));

    expect(report.status).toBe('deployed');
    expect(report.copied).toBe(6);
    for (const [path, content] of Object.entries(files)) {
      const object = h.s3.bucket(HOSTING).get(path);
      expect(object?.body.toString()).toBe(content);
      expect(object?.metadata).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    expect(h.s3.bucket(HOSTING).get('index.html')?.cacheControl).toBe('no-cache');
    expect(h.s3.bucket(HOSTING).get('assets/index-V1aaaaaa.js')?.contentType).toBe(
      'text/javascript; charset=utf-8',
    );

    const order = copiedKeys(h.s3);
    expect(order.at(-1)).toBe('index.html');
    expect(order.indexOf('docs/index.html')).toBeGreaterThan(order.indexOf('favicon.svg'));
    expect(order.slice(0, 2).sort()).toEqual(['assets/index-V1aaaaaa.js', 'assets/vendor-Stable123.js']);

    const record = ReleaseRecordSchema.parse(JSON.parse(h.s3.text(ARTIFACTS, currentReleaseKey('prod'))!));
    expect(record).toMatchObject({ commit, copied: 6, unchanged: 0, trigger: 'cli', requestedBy: 'alice' });
    expect(record.files.find((f) => f.path === 'index.html')?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const history = [...h.s3.bucket(ARTIFACTS).keys()].filter((k) => k.startsWith(historyPrefix('prod')));
    expect(history).toHaveLength(1);
    expect(JSON.parse(h.s3.text(ARTIFACTS, history[0]!)!).invalidationId).toBe('I1');

    expect(h.invalidations.map((i) => i.paths)).toEqual([
      ['/', '/docs/', '/docs/index.html', '/favicon.svg', '/index.html', '/version.json'],
    ]);
    expect(report.invalidationId).toBe('I1');
    expect(report.verify).toEqual({ status: 'passed' });
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
    // ListObjectsV2: the hosting bucket, and the build prefix for the preflight.
    expect(report.requests).toEqual({
      CopyObject: 6,
      DeleteObject: 1,
      GetObject: 2,
      ListObjectsV2: 2,
      PutObject: 3,
    });
  });
});

describe('runDeploy: request budgets', () => {
  it('redeploying the live commit is a no-op: listings + 4 requests, zero copies', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commit));
    h.s3.calls.length = 0;
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('noop');
    expect(report.copied).toBe(0);
    // The preflight's build listing starts with the lock, before the plan knows it is a no-op.
    expect(report.requests).toEqual({ DeleteObject: 1, GetObject: 2, ListObjectsV2: 2, PutObject: 1 });
    expect(h.invalidations).toHaveLength(1);
  });

  it('an incremental deploy is listings + the changed copies + 6 requests', async () => {
    const h = harness();
    publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commitSha(1)));
    const next = site(1, { 'favicon.svg': '<svg>2</svg>' });
    next['version.json'] = JSON.stringify({ commit: commitSha(2) });
    const commit = publish(h.s3, 2, next);
    const report = await runDeploy(h.deps, request(commit));
    expect(report.copied).toBe(2);
    expect(report.requests).toEqual({
      CopyObject: 2,
      DeleteObject: 1,
      GetObject: 2,
      ListObjectsV2: 2,
      PutObject: 3,
    });
  });
});

describe('runDeploy: safety', () => {
  it('a dry run plans without writing anything', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const report = await runDeploy(h.deps, request(commit, { dryRun: true }));
    expect(report.status).toBe('planned');
    expect(report.plan.copy.total).toBe(6);
    expect(h.s3.count('PutObject') + h.s3.count('CopyObject') + h.s3.count('DeleteObject')).toBe(0);
  });

  it('a declined confirmation is REFUSED with nothing changed and the lock released', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    let shown = 0;
    const error = await rejectionOf(
      runDeploy(
        h.deps,
        request(commit, {
          confirm: async (plan) => {
            shown = plan.copy.total;
            return false;
          },
        }),
      ),
    );
    expect(error.code).toBe('REFUSED');
    expect(shown).toBe(6);
    expect(h.s3.bucket(HOSTING).size).toBe(0);
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
  });

  it('a held lock fails with DEPLOY_IN_PROGRESS and changes nothing', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const holder = {
      schema: 1,
      lockId: 'other-deploy-1',
      stack: 'prod',
      owner: 'bob on laptop (pid 7)',
      trigger: 'chat',
      commit: commitSha(9),
      requestedBy: 'bob',
      acquiredAt: '2026-11-23T09:59:00.000Z',
      renewedAt: '2026-11-23T09:59:00.000Z',
      expiresAt: '2026-11-23T10:09:00.000Z',
    };
    h.s3.put(ARTIFACTS, 'locks/prod.json', JSON.stringify(holder));
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.message).toContain('bob on laptop');
    expect(h.s3.bucket(HOSTING).size).toBe(0);
    expect(JSON.parse(h.s3.text(ARTIFACTS, 'locks/prod.json')!)).toEqual(holder);
  });

  it('refuses a commit without a complete build', async () => {
    const h = harness();
    const error = await rejectionOf(runDeploy(h.deps, request(commitSha(5))));
    expect(error.code).toBe('BUILD_NOT_FOUND');
    expect(h.s3.count('CopyObject')).toBe(0);
    // the lock, taken while the manifest was read, is released again
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
    expect(h.s3.bucket(HOSTING).size).toBe(0);
  });

  it('stops before the next phase when a copy fails for good: index.html never goes live', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    h.s3.fail = (call) =>
      call.operation === 'CopyObject' && call.key === 'favicon.svg'
        ? s3Error('AccessDenied', 403)
        : undefined;
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('S3_ERROR');
    expect(error.message).toContain('favicon.svg');
    expect(h.s3.bucket(HOSTING).has('index.html')).toBe(false);
    expect(h.s3.bucket(HOSTING).has('docs/index.html')).toBe(false);
    expect(h.s3.text(ARTIFACTS, currentReleaseKey('prod'))).toBeUndefined();
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
  });

  it('converges through throttling, 5xx and resets, counting the retries', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    let n = 0;
    const faults = [
      s3Error('SlowDown', 503),
      s3Error('InternalError', 500),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    ];
    h.s3.fail = () => {
      n += 1;
      return n % 3 === 0 ? faults[(n / 3) % 3] : undefined;
    };
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('deployed');
    expect(report.retries).toBeGreaterThan(3);
    expect(h.s3.bucket(HOSTING).get('index.html')?.body.toString()).toBe(site(1)['index.html']);
  });

  it('stops copying with LOCK_LOST when the lock was taken over mid-deploy', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    h.s3.onCall = (call) => {
      if (call.operation === 'CopyObject' && call.key === 'favicon.svg') {
        h.s3.onCall = undefined;
        h.clock.advance(120_000);
        const lock = JSON.parse(h.s3.text(ARTIFACTS, 'locks/prod.json')!);
        h.s3.put(
          ARTIFACTS,
          'locks/prod.json',
          JSON.stringify({ ...lock, lockId: 'thief-lock-1', owner: 'carol' }),
        );
      }
    };
    const error = await rejectionOf(runDeploy(h.deps, request(commit, { concurrency: 1 })));
    expect(error.code).toBe('LOCK_LOST');
    expect(h.s3.bucket(HOSTING).has('index.html')).toBe(false);
    expect(JSON.parse(h.s3.text(ARTIFACTS, 'locks/prod.json')!).owner).toBe('carol');
  });
});

describe('runDeploy: deferred prune and rollback', () => {
  it('deletes files only after the invalidation completed, keeping the last keepReleases releases', async () => {
    const h = harness();
    for (const version of [1, 2, 3]) {
      publish(h.s3, version, site(version));
      await runDeploy(h.deps, request(commitSha(version)));
    }
    expect(h.s3.bucket(HOSTING).has('assets/index-V1aaaaaa.js')).toBe(true);
    publish(h.s3, 4, site(4));
    const mark = h.s3.calls.length;
    const report = await runDeploy(h.deps, request(commitSha(4)));
    expect(report.deleted).toBe(1);
    expect(report.deferredDeletes).toBe(2);
    expect(h.s3.bucket(HOSTING).has('assets/index-V1aaaaaa.js')).toBe(false);
    expect(h.s3.bucket(HOSTING).has('assets/index-V2aaaaaa.js')).toBe(true);
    const deleteAt = h.s3.calls.findIndex((c, i) => i >= mark && c.operation === 'DeleteObjects');
    expect(h.invalidations.at(-1)!.atCall).toBeLessThan(deleteAt);
  });

  it('a rollback to a same-size older build restores it exactly', async () => {
    const h = harness();
    const blue = site(1, { 'theme.css': 'body{color:blue}' });
    const pink = site(2, { 'theme.css': 'body{color:pink}' });
    pink['version.json'] = (blue['version.json'] ?? '').replace(commitSha(1), commitSha(2));
    publish(h.s3, 1, blue);
    publish(h.s3, 2, pink);
    await runDeploy(h.deps, request(commitSha(1)));
    await runDeploy(h.deps, request(commitSha(2)));
    const report = await runDeploy(h.deps, request(commitSha(1), { trigger: 'rollback' }));
    expect(report.status).toBe('deployed');
    for (const [path, content] of Object.entries(blue)) {
      expect(h.s3.bucket(HOSTING).get(path)?.body.toString()).toBe(content);
    }
    expect(h.live()).toBe(commitSha(1));
  });
});

describe('runDeploy: verify and tag', () => {
  it('fails with VERIFY_FAILED when the site serves another commit, still recording the live release', async () => {
    const h = harness({ verifyCommit: () => commitSha(99) });
    const commit = publish(h.s3, 1, site(1));
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(JSON.parse(h.s3.text(ARTIFACTS, currentReleaseKey('prod'))!).commit).toBe(commit);
    expect([...h.s3.bucket(ARTIFACTS).keys()].some((k) => k.startsWith(historyPrefix('prod')))).toBe(true);
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
  });

  it('fails with ENDPOINT_UNREACHABLE naming the site when it refuses every connection', async () => {
    const refused = () =>
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      });
    const h = harness({ verifyCommit: refused });
    const commit = publish(h.s3, 1, site(1));
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toContain(new URL(URL_).host);
    expect(error.data).toMatchObject({ service: 'edge', kind: 'refused', attempts: 3 });
    // The release went live before verify: it is recorded, and the lock is released.
    expect(JSON.parse(h.s3.text(ARTIFACTS, currentReleaseKey('prod'))!).commit).toBe(commit);
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
  });

  it('skips verification with a note when the build has no version.json', async () => {
    const h2 = harness();
    const files = site(2);
    delete (files as Record<string, string | undefined>)['version.json'];
    // version.json is a required file by default; a stack may require only index.html.
    const report2 = await runDeploy(
      h2.deps,
      request(publish(h2.s3, 2, files), { requiredFiles: ['index.html'] }),
    );
    expect(report2.verify).toEqual({ status: 'skipped', note: 'the build has no version.json' });
  });

  it('saves the tag in the release record', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const report = await runDeploy(
      h.deps,
      request(commit, { tag: async () => 'dashboard-deploy-20261123-1' }),
    );
    expect(report.tag).toBe('dashboard-deploy-20261123-1');
    expect(JSON.parse(h.s3.text(ARTIFACTS, currentReleaseKey('prod'))!).tag).toBe(
      'dashboard-deploy-20261123-1',
    );
  });

  it('reports progress for each step and copy', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const events: string[] = [];
    await runDeploy(
      { ...h.deps, onProgress: (e) => events.push(e.phase ? `${e.step}:${e.phase}:${e.done}` : e.step) },
      request(commit),
    );
    expect(events.slice(0, 2)).toEqual(['lock', 'plan']);
    expect(events).toContain('copy:index:6');
    expect(events.indexOf('record')).toBeGreaterThan(events.indexOf('copy:index:6'));
    expect(events.at(-1)).toBe('done');
  });
});
