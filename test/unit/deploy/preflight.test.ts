import { describe, expect, it } from 'vitest';
import type { InvalidationResult, Invalidator } from '../../../agent/src/cdn/invalidator.js';
import { executeCopies } from '../../../agent/src/deploy/executor.js';
import { noSteps } from '../../../agent/src/deploy/journal.js';
import { type DeployRequest, runDeploy } from '../../../agent/src/deploy/pipeline.js';
import { planDeploy } from '../../../agent/src/deploy/plan.js';
import {
  assertBuildIntact,
  assertImmutableUnchanged,
  checkManifestRules,
  compareBuildListing,
  DEFAULT_REQUIRED_FILES,
} from '../../../agent/src/deploy/preflight.js';
import { deleteSiteFiles } from '../../../agent/src/deploy/prune.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import type { BuildManifest } from '../../../agent/src/deploy/schemas.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha, etagOf, listingOf, manifestOf } from '../../support/deploy-fixtures.js';
import { FakeS3 } from '../../support/fake-s3.js';
import { rejectionOf } from '../../support/rejection.js';

/** Issue 10 §2: nothing is copied until the whole build is known to be complete and intact. */

const ARTIFACTS = 'artifacts-1';
const HOSTING = 'hosting-1';
const SYNC = parseSyncCommand(
  `aws s3 sync s3://${ARTIFACTS}/builds/{commit}/site/ s3://${HOSTING}/ --delete`,
);

function site(version: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'index.html': `<script src="/assets/app-V${version}aaaaaa.js"></script>`,
    [`assets/app-V${version}aaaaaa.js`]: `console.log(${version})`,
    'assets/logo-Stable123.svg': '<svg/>',
    'version.json': JSON.stringify({ commit: commitSha(version) }),
    ...extra,
  };
}

function thrown(run: () => unknown): FrontendOpsError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrontendOpsError) return error;
    throw error;
  }
  throw new Error('expected a FrontendOpsError');
}

describe('checkManifestRules', () => {
  it('passes a build with the required entry files', () => {
    expect(() => checkManifestRules(manifestOf(commitSha(1), site(1)), DEFAULT_REQUIRED_FILES)).not.toThrow();
  });

  it('refuses a build without index.html or version.json (BUILD_INCOMPLETE), naming what is missing', () => {
    const { 'index.html': _, ...noIndex } = site(1);
    const error = thrown(() => checkManifestRules(manifestOf(commitSha(1), noIndex), DEFAULT_REQUIRED_FILES));
    expect(error.code).toBe('BUILD_INCOMPLETE');
    expect(error.data).toMatchObject({ missing: ['index.html'] });
    const { 'version.json': __, ...noVersion } = site(1);
    expect(
      thrown(() => checkManifestRules(manifestOf(commitSha(1), noVersion), DEFAULT_REQUIRED_FILES)).code,
    ).toBe('BUILD_INCOMPLETE');
  });

  it('uses the configured list', () => {
    const { 'version.json': _, ...noVersion } = site(1);
    expect(() => checkManifestRules(manifestOf(commitSha(1), noVersion), ['index.html'])).not.toThrow();
    expect(thrown(() => checkManifestRules(manifestOf(commitSha(1), site(1)), ['404.html'])).code).toBe(
      'BUILD_INCOMPLETE',
    );
  });

  it('refuses reserved paths before anything else (RESERVED_PATH)', () => {
    for (const path of [
      'releases/prod/current.json',
      'builds/x/build.json',
      'locks/prod.json',
      'jobs/1.json',
    ]) {
      const error = thrown(() =>
        checkManifestRules(manifestOf(commitSha(1), site(1, { [path]: '{}' })), DEFAULT_REQUIRED_FILES),
      );
      expect(error.code, path).toBe('RESERVED_PATH');
      expect(error.message).toContain(path);
    }
    expect(
      thrown(() =>
        checkManifestRules(
          manifestOf(commitSha(1), site(1, { 'deployments.json': '{}' })),
          DEFAULT_REQUIRED_FILES,
        ),
      ).code,
    ).toBe('RESERVED_PATH');
  });
});

describe('compareBuildListing', () => {
  const files = site(1);
  const manifest = manifestOf(commitSha(1), files);
  const stored = () => new Map(Object.entries(files));

  it('finds nothing wrong with the build as published, and ignores extra objects', () => {
    expect(compareBuildListing(manifest, listingOf(stored().set('stray.js', 'x')))).toEqual([]);
  });

  it('reports a missing file, a wrong size and a same-size content change, sorted by path', () => {
    const bucket = stored();
    bucket.delete('assets/logo-Stable123.svg');
    bucket.set('version.json', `${files['version.json']} `);
    bucket.set('index.html', (files['index.html'] ?? '').replace('V1', 'V9'));
    expect(compareBuildListing(manifest, listingOf(bucket)).map((p) => [p.path, p.kind])).toEqual([
      ['assets/logo-Stable123.svg', 'missing'],
      ['index.html', 'content'],
      ['version.json', 'size'],
    ]);
  });

  it('assertBuildIntact refuses with BUILD_CORRUPT naming the first offending paths', () => {
    const bucket = new Map<string, string>();
    const many = manifestOf(
      commitSha(1),
      Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}.txt`, `${i}`])),
    );
    const error = thrown(() => assertBuildIntact(many, listingOf(bucket), 's3://a/builds/x/site/'));
    expect(error.code).toBe('BUILD_CORRUPT');
    expect(error.message).toContain('9 file(s) differ');
    expect(error.message).toContain('f0.txt');
    expect(error.message).toContain('(+4 more)');
  });

  it('refuses a schema 1 manifest (no fingerprints) with a hint to publish again', () => {
    const legacy: BuildManifest = {
      ...manifest,
      schema: 1,
      files: manifest.files.map(({ etag: _, ...f }) => f),
    };
    const error = thrown(() => assertBuildIntact(legacy, listingOf(stored()), 's3://a/'));
    expect(error.code).toBe('BUILD_CORRUPT');
    expect(error.message).toContain('no fingerprints');
    expect(error.hint).toContain('frontendops publish');
  });
});

describe('assertImmutableUnchanged', () => {
  const options = {
    destination: { bucket: HOSTING, prefix: '' },
    delete: true,
    keepReleases: 3,
    collapseAbove: 25,
  };
  const files = site(1);
  const live = planDeploy(manifestOf(commitSha(1), files), undefined, [], [], options);
  const record = {
    schema: 1 as const,
    releaseId: 'r1',
    stack: 'prod',
    commit: commitSha(1),
    trigger: 'cli' as const,
    requestedBy: 't',
    kind: 'deploy' as const,
    subject: null,
    status: 'complete' as const,
    steps: noSteps(),
    invalidate: [],
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:00:01.000Z',
    destination: options.destination,
    files: live.copy.map((c) => ({
      path: c.path,
      sha256: c.sha256,
      etag: etagOf(files[c.path] ?? ''),
      size: c.size,
      contentType: c.contentType,
      cacheControl: c.cacheControl,
    })),
    retained: [],
    copied: live.copy.length,
    unchanged: 0,
    deleted: 0,
  };

  it('refuses new content under an immutable name of the live release, with a hint', () => {
    const next = site(2, { 'assets/logo-Stable123.svg': '<svg>changed</svg>' });
    const plan = planDeploy(
      manifestOf(commitSha(2), next),
      record,
      listingOf(new Map(Object.entries(files))),
      [],
      options,
    );
    const error = thrown(() => assertImmutableUnchanged(plan, record));
    expect(error.code).toBe('IMMUTABLE_CHANGED');
    expect(error.message).toContain('assets/logo-Stable123.svg');
    expect(error.hint).toMatch(/a year/);
  });

  it('passes renamed assets and changed non-immutable files', () => {
    const plan = planDeploy(
      manifestOf(commitSha(2), site(2)),
      record,
      listingOf(new Map(Object.entries(files))),
      [],
      options,
    );
    expect(plan.copy.map((c) => c.path)).toContain('version.json');
    expect(() => assertImmutableUnchanged(plan, record)).not.toThrow();
  });

  it('also refuses when the old content was served immutable and a rule no longer marks it so', () => {
    const next = site(2, { 'assets/logo-Stable123.svg': '<svg>changed</svg>' });
    const rules = [{ glob: 'assets/logo-*.svg', cacheControl: 'public, max-age=60' }];
    const plan = planDeploy(
      manifestOf(commitSha(2), next),
      record,
      listingOf(new Map(Object.entries(files))),
      rules,
      options,
    );
    expect(thrown(() => assertImmutableUnchanged(plan, record)).code).toBe('IMMUTABLE_CHANGED');
  });
});

// ---- the engine: every refusal happens before the first copy, leaving both buckets as they were ----

function harness() {
  const s3 = new FakeS3([ARTIFACTS, HOSTING, 'victim-bucket']);
  const invalidations: string[][] = [];
  const invalidator: Invalidator = {
    async invalidate(paths): Promise<InvalidationResult> {
      invalidations.push([...paths]);
      return { invalidationId: 'I1', status: 'Completed', paths: [...paths] };
    },
  };
  let t = Date.parse('2026-11-23T10:00:00Z');
  const deps = {
    s3: s3.client,
    invalidator,
    now: () => {
      t += 1;
      return new Date(t);
    },
    fetch: (async () => new Response('{}', { status: 404 })) as typeof fetch,
    sleep: async () => {},
    random: () => 0,
  };
  return { s3, deps, invalidations };
}

function publishFake(
  s3: FakeS3,
  commit: string,
  files: Record<string, string>,
  manifest = manifestOf(commit, files),
) {
  for (const [path, content] of Object.entries(files))
    s3.put(ARTIFACTS, `builds/${commit}/site/${path}`, content);
  s3.put(ARTIFACTS, `builds/${commit}/build.json`, JSON.stringify(manifest));
}

function request(commit: string, overrides: Partial<DeployRequest> = {}): DeployRequest {
  return {
    stack: 'prod',
    commit,
    sync: SYNC,
    stackBuckets: { artifactsBucket: ARTIFACTS, hostingBucket: HOSTING },
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

function snapshot(s3: FakeS3): Record<string, Record<string, string>> {
  return Object.fromEntries(
    [...s3.buckets.entries()].map(([name, bucket]) => [
      name,
      Object.fromEntries([...bucket.entries()].map(([k, o]) => [k, o.etag])),
    ]),
  );
}

/** Writes other than the deploy lock's own (taken and released around the refusal). */
const writes = (s3: FakeS3) =>
  s3.calls.filter(
    (c) =>
      ['CopyObject', 'DeleteObjects', 'DeleteObject', 'PutObject'].includes(c.operation) &&
      !c.key?.startsWith('locks/'),
  );

describe('runDeploy: preflight refusals change nothing', () => {
  it('SYNC_COMMAND_MISMATCH before any request when the sync names a foreign bucket', async () => {
    const h = harness();
    const commit = commitSha(1);
    publishFake(h.s3, commit, site(1));
    const before = snapshot(h.s3);
    const foreign = parseSyncCommand(
      `aws s3 sync s3://${ARTIFACTS}/builds/{commit}/site/ s3://victim-bucket/ --delete`,
    );
    const error = await rejectionOf(runDeploy(h.deps, request(commit, { sync: foreign })));
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(error.message).toContain('victim-bucket');
    expect(error.message).toContain(HOSTING);
    expect(h.s3.calls).toEqual([]);
    expect(snapshot(h.s3)).toEqual(before);
  });

  it('SYNC_COMMAND_MISMATCH when a caller passes no stack buckets at all', async () => {
    const h = harness();
    const unchecked = { ...request(commitSha(1)) } as Partial<DeployRequest>;
    delete unchecked.stackBuckets;
    const error = await rejectionOf(runDeploy(h.deps, unchecked as DeployRequest));
    expect(error.code).toBe('SYNC_COMMAND_MISMATCH');
    expect(h.s3.calls).toEqual([]);
  });

  it('BUILD_INCOMPLETE for a build without index.html, also in a dry run', async () => {
    const h = harness();
    const commit = commitSha(1);
    const { 'index.html': _, ...files } = site(1);
    publishFake(h.s3, commit, files);
    const before = snapshot(h.s3);
    for (const dryRun of [true, false]) {
      const error = await rejectionOf(runDeploy(h.deps, request(commit, { dryRun })));
      expect(error.code).toBe('BUILD_INCOMPLETE');
    }
    expect(writes(h.s3)).toEqual([]);
    expect(snapshot(h.s3)).toEqual(before);
  });

  it('BUILD_CORRUPT when build.json names a file never uploaded: nothing copied, lock released', async () => {
    const h = harness();
    const commit = commitSha(1);
    const files = site(1);
    publishFake(h.s3, commit, files, manifestOf(commit, { ...files, 'assets/ghost-Ghost123.js': 'boo' }));
    const before = snapshot(h.s3);
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('BUILD_CORRUPT');
    expect(error.message).toContain('assets/ghost-Ghost123.js');
    expect(h.s3.count('CopyObject')).toBe(0);
    expect(snapshot(h.s3)).toEqual(before);
  });

  it('BUILD_CORRUPT for a wrong size and for same-size different content', async () => {
    for (const tamper of ['{"commit":"x"}  ', 'console.log(7)']) {
      const h = harness();
      const commit = commitSha(1);
      const files = site(1);
      publishFake(h.s3, commit, files);
      const key = tamper.startsWith('{') ? 'version.json' : 'assets/app-V1aaaaaa.js';
      h.s3.put(ARTIFACTS, `builds/${commit}/site/${key}`, tamper);
      const before = snapshot(h.s3);
      const error = await rejectionOf(runDeploy(h.deps, request(commit)));
      expect(error.code).toBe('BUILD_CORRUPT');
      expect(error.message).toContain(key);
      expect(snapshot(h.s3)).toEqual(before);
    }
  });

  it('runs the preflight for rollbacks too', async () => {
    const h = harness();
    publishFake(h.s3, commitSha(1), site(1));
    publishFake(h.s3, commitSha(2), site(2));
    await runDeploy(h.deps, request(commitSha(1)));
    await runDeploy(h.deps, request(commitSha(2)));
    h.s3.bucket(ARTIFACTS).delete(`builds/${commitSha(1)}/site/assets/app-V1aaaaaa.js`);
    const before = snapshot(h.s3);
    const error = await rejectionOf(runDeploy(h.deps, request(commitSha(1), { trigger: 'rollback' })));
    expect(error.code).toBe('BUILD_CORRUPT');
    expect(snapshot(h.s3)).toEqual(before);
  });

  it('IMMUTABLE_CHANGED for new content under a live immutable name, nothing copied', async () => {
    const h = harness();
    publishFake(h.s3, commitSha(1), site(1));
    await runDeploy(h.deps, request(commitSha(1)));
    publishFake(h.s3, commitSha(2), site(2, { 'assets/logo-Stable123.svg': '<svg>new</svg>' }));
    const before = snapshot(h.s3);
    h.s3.calls.length = 0;
    const error = await rejectionOf(runDeploy(h.deps, request(commitSha(2))));
    expect(error.code).toBe('IMMUTABLE_CHANGED');
    expect(h.s3.count('CopyObject')).toBe(0);
    expect(snapshot(h.s3)).toEqual(before);
  });

  it('a build file replaced after the preflight fails its copy (conditional on the verified ETag)', async () => {
    const h = harness();
    const commit = commitSha(1);
    publishFake(h.s3, commit, site(1));
    h.s3.onCall = (call) => {
      if (call.operation === 'CopyObject' && h.s3.onCall) {
        h.s3.onCall = undefined;
        h.s3.put(ARTIFACTS, `builds/${commit}/site/version.json`, 'swapped in after the preflight');
      }
    };
    // The pending release was journaled before the first copy, so the refused copy is reported by the
    // journal (incomplete, its copy step missing) rather than thrown; index.html never went live.
    const report = await runDeploy(h.deps, request(commit, { concurrency: 1 }));
    expect(report).toMatchObject({ status: 'incomplete', error: { code: 'BUILD_CORRUPT' } });
    expect(report.missing).toContain('copied');
    expect(report.error?.message).toContain('version.json');
    expect(h.s3.bucket(HOSTING).has('version.json')).toBe(false);
    expect(h.s3.bucket(HOSTING).has('index.html')).toBe(false);
  });

  it('never copies extra objects under the build prefix', async () => {
    const h = harness();
    const commit = commitSha(1);
    publishFake(h.s3, commit, site(1));
    h.s3.put(ARTIFACTS, `builds/${commit}/site/extra-not-in-manifest.js`, 'x');
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('deployed');
    expect(h.s3.bucket(HOSTING).has('extra-not-in-manifest.js')).toBe(false);
  });
});

describe('the lowest level refuses reserved keys', () => {
  const runner = createRequestRunner({ sleep: async () => {} });

  it('executeCopies refuses a reserved destination before any copy', async () => {
    const s3 = new FakeS3([ARTIFACTS, HOSTING]);
    s3.put(ARTIFACTS, 'builds/c/site/a.js', 'a');
    const copies = [
      {
        path: 'a.js',
        sha256: 'a'.repeat(64),
        size: 1,
        contentType: 'text/javascript',
        cacheControl: 'x',
        phase: 'other' as const,
        reason: 'new' as const,
      },
      {
        path: 'releases/prod/current.json',
        sha256: 'a'.repeat(64),
        size: 1,
        contentType: 'application/json',
        cacheControl: 'x',
        phase: 'other' as const,
        reason: 'new' as const,
      },
    ];
    const error = await rejectionOf(
      executeCopies({ s3: s3.client, runner, concurrency: 2, keepAlive: async () => {} }, copies, {
        source: { bucket: ARTIFACTS, prefix: 'builds/c/site/' },
        destination: { bucket: HOSTING, prefix: '' },
      }),
    );
    expect(error.code).toBe('RESERVED_PATH');
    expect(s3.calls).toEqual([]);
  });

  it('deleteSiteFiles refuses a list with a reserved key, deleting nothing', async () => {
    const s3 = new FakeS3([ARTIFACTS]);
    s3.put(ARTIFACTS, 'builds/c/build.json', '{}');
    s3.put(ARTIFACTS, 'index.html', 'x');
    const error = await rejectionOf(
      deleteSiteFiles(s3.client, runner, { bucket: ARTIFACTS, prefix: '' }, [
        'index.html',
        'builds/c/build.json',
      ]),
    );
    expect(error.code).toBe('RESERVED_PATH');
    expect(s3.calls).toEqual([]);
    expect(s3.bucket(ARTIFACTS).size).toBe(2);
  });
});
