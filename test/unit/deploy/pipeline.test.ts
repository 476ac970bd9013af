import { describe, expect, it } from 'vitest';
import type { InvalidationResult, Invalidator } from '../../../agent/src/cdn/invalidator.js';
import {
  type DeployDeps,
  type DeployRequest,
  finishRelease,
  type HealthResult,
  runDeploy,
} from '../../../agent/src/deploy/pipeline.js';
import { currentReleaseKey, historyPrefix } from '../../../agent/src/deploy/releases.js';
import {
  DeploymentsDocumentSchema,
  ReleaseEntrySchema,
  ReleaseRecordSchema,
} from '../../../agent/src/deploy/schemas.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { commitSha, manifestOf } from '../../support/deploy-fixtures.js';
import { FakeS3, s3Error } from '../../support/fake-s3.js';
import { rejectionOf } from '../../support/rejection.js';

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
  /** Set to make the CDN API fail (it is "down"). */
  cdnDown: { value: boolean };
  deps: DeployDeps;
  clock: { advance(ms: number): void };
  live: () => string | undefined;
  journal: () => ReturnType<typeof ReleaseRecordSchema.parse> | undefined;
  history: () => Array<ReturnType<typeof ReleaseEntrySchema.parse>>;
  hostingKeys: () => string[];
}

function harness(
  options: { verifyCommit?: (live: string | undefined) => string | undefined | Error } = {},
): Harness {
  const s3 = new FakeS3([ARTIFACTS, HOSTING]);
  const invalidations: Harness['invalidations'] = [];
  const cdnDown = { value: false };
  const invalidator: Invalidator = {
    async invalidate(paths): Promise<InvalidationResult> {
      if (cdnDown.value) {
        throw new FrontendOpsError('INVALIDATION_FAILED', 'CloudFront failed: ServiceUnavailable');
      }
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
    const answer = options.verifyCommit ? options.verifyCommit(live()) : live();
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify({ commit: answer }), { status: answer === undefined ? 404 : 200 });
  }) as typeof fetch;
  return {
    s3,
    invalidations,
    cdnDown,
    clock: {
      advance: (ms) => {
        t += ms;
      },
    },
    live,
    journal: () => {
      const text = s3.text(ARTIFACTS, currentReleaseKey('prod'));
      return text === undefined ? undefined : ReleaseRecordSchema.parse(JSON.parse(text));
    },
    history: () =>
      [...s3.bucket(ARTIFACTS).keys()]
        .filter((k) => k.startsWith(historyPrefix('prod')))
        .sort()
        .map((k) => ReleaseEntrySchema.parse(JSON.parse(s3.text(ARTIFACTS, k)!))),
    hostingKeys: () => [...s3.bucket(HOSTING).keys()].sort(),
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
      setTimer: () => () => undefined,
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

function copiedKeys(s3: FakeS3): string[] {
  return s3.calls.filter((c) => c.operation === 'CopyObject').map((c) => c.key ?? '');
}

const ALL_STEPS = ['copied', 'invalidated', 'verified', 'tagged', 'pruned', 'published'];

/** Another deployer's fresh lock on the stack, as S3 would hold it. */
function holdLockAsBob(h: ReturnType<typeof harness>) {
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
  return holder;
}

describe('runDeploy: first deploy', () => {
  it('journals the release pending with its full file list before the first copy, then completes every step', async () => {
    const h = harness();
    const files = site(1);
    const commit = publish(h.s3, 1, files);
    let atFirstCopy: ReturnType<Harness['journal']>;
    h.s3.onCall = (call) => {
      if (call.operation === 'CopyObject' && atFirstCopy === undefined) atFirstCopy = h.journal();
    };
    const report = await runDeploy(h.deps, request(commit, { subject: 'Fix the \u001b[31mchart' }));

    expect(atFirstCopy).toMatchObject({ status: 'pending', commit, kind: 'deploy' });
    expect(atFirstCopy?.files.map((f) => f.path).sort()).toEqual(Object.keys(files).sort());
    expect(atFirstCopy?.steps.copied.done).toBe(false);

    expect(report.status).toBe('deployed');
    expect(report.copied).toBe(6);
    for (const [path, content] of Object.entries(files)) {
      const object = h.s3.bucket(HOSTING).get(path);
      expect(object?.body.toString()).toBe(content);
      expect(object?.metadata).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    expect(h.s3.bucket(HOSTING).get('index.html')?.cacheControl).toBe('no-cache');
    const order = copiedKeys(h.s3);
    expect(order.at(-1)).toBe('index.html');
    expect(order.indexOf('docs/index.html')).toBeGreaterThan(order.indexOf('favicon.svg'));

    const record = h.journal()!;
    expect(record).toMatchObject({ commit, status: 'complete', trigger: 'cli', requestedBy: 'alice' });
    expect(record.subject).toBe('Fix the [31mchart');
    for (const step of ALL_STEPS) expect(record.steps[step as 'copied'].done).toBe(true);
    expect(record.files.find((f) => f.path === 'index.html')?.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const history = h.history();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'complete', invalidationId: 'I1', fileCount: 6 });

    expect(h.invalidations.map((i) => i.paths)).toEqual([
      [
        '/',
        '/deployments.json',
        '/docs/',
        '/docs/index.html',
        '/favicon.svg',
        '/index.html',
        '/version.json',
      ],
    ]);
    const deployments = h.s3.bucket(HOSTING).get('deployments.json');
    expect(deployments?.cacheControl).toBe('no-cache');
    expect(deployments?.contentType).toBe('application/json');
    const document = DeploymentsDocumentSchema.parse(JSON.parse(deployments!.body.toString()));
    expect(document).toMatchObject({ stack: 'prod', live: record.releaseId });
    expect(document.releases).toEqual([
      expect.objectContaining({
        releaseId: record.releaseId,
        status: 'complete',
        kind: 'deploy',
        filesChanged: 6,
      }),
    ]);
    expect(report.verify).toEqual({ status: 'passed' });
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
    // the journal's price: the lock, 3 journal writes (pending, copied, complete), 2 history entries,
    // deployments.json; 3 reads (manifest, the journal before and under the lock), the listing, the
    // history listing and the build prefix's listing for the preflight; the unlock
    expect(report.requests).toEqual({
      CopyObject: 6,
      DeleteObject: 1,
      GetObject: 3,
      ListObjectsV2: 3,
      PutObject: 7,
    });
  });
});

describe('runDeploy: request budgets', () => {
  it('redeploying the live, complete commit is a no-op: the hosting listing + 2 reads, no lock, no build listing, zero copies', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commit));
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('noop');
    expect(report.copied).toBe(0);
    // build.json and the journal; the one listing is the hosting bucket's. The journal names this commit
    // complete, so the preflight's listing of the build is never started.
    expect(report.requests).toEqual({ GetObject: 2, ListObjectsV2: 1 });
    expect(h.invalidations).toHaveLength(1);
  });

  it('an incremental deploy journals, copies the changed files, and publishes once', async () => {
    const h = harness();
    publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commitSha(1)));
    const next = site(1, { 'favicon.svg': '<svg>2</svg>' });
    next['version.json'] = JSON.stringify({ commit: commitSha(2) });
    const commit = publish(h.s3, 2, next);
    const report = await runDeploy(h.deps, request(commit));
    expect(report.copied).toBe(2);
    expect(h.s3.bucket(HOSTING).get('deployments.json')).toBeDefined();
    // as the first deploy, plus reading the one history entry deployments.json is built from
    expect(report.requests).toEqual({
      CopyObject: 2,
      DeleteObject: 1,
      GetObject: 4,
      ListObjectsV2: 3,
      PutObject: 7,
    });
  });
});

describe('runDeploy: confirmation never holds the lock', () => {
  it('a declined confirmation is CANCELLED with nothing changed, and no lock was held while asking', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    let lockedWhileAsking: boolean | undefined;
    const error = await rejectionOf(
      runDeploy(
        h.deps,
        request(commit, {
          confirm: async () => {
            lockedWhileAsking = h.s3.bucket(ARTIFACTS).has('locks/prod.json');
            return false;
          },
        }),
      ),
    );
    expect(error.code).toBe('CANCELLED');
    expect(lockedWhileAsking).toBe(false);
    expect(h.hostingKeys()).toEqual([]);
    expect(h.journal()).toBeUndefined();
  });

  it('asks again, showing what changed, when another deploy went out between the answer and the lock', async () => {
    const h = harness();
    publish(h.s3, 1, site(1));
    publish(h.s3, 2, site(2));
    const asked: Array<string[] | undefined> = [];
    const report = await runDeploy(
      h.deps,
      request(commitSha(2), {
        confirm: async (plan) => {
          asked.push(plan.changes);
          // while this person reads the plan, someone else deploys v1
          if (asked.length === 1) await runDeploy(h.deps, request(commitSha(1)));
          return true;
        },
      }),
    );
    expect(report.status).toBe('deployed');
    expect(asked).toHaveLength(2);
    expect(asked[0]).toBeUndefined();
    expect(asked[1]?.[0]).toMatch(/the live release changed from nothing to/);
  });
});

describe('runDeploy: refusals change nothing', () => {
  it('a dry run plans without writing anything', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const report = await runDeploy(h.deps, request(commit, { dryRun: true }));
    expect(report.status).toBe('planned');
    expect(report.plan.copy.total).toBe(6);
    expect(h.s3.count('PutObject') + h.s3.count('CopyObject') + h.s3.count('DeleteObject')).toBe(0);
  });

  it('a held lock fails with DEPLOY_IN_PROGRESS and changes nothing', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const holder = holdLockAsBob(h);
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('DEPLOY_IN_PROGRESS');
    expect(error.message).toContain('bob on laptop');
    expect(h.hostingKeys()).toEqual([]);
    expect(JSON.parse(h.s3.text(ARTIFACTS, 'locks/prod.json')!)).toEqual(holder);
  });

  it('refuses a commit without a complete build before taking the lock', async () => {
    const h = harness();
    const error = await rejectionOf(runDeploy(h.deps, request(commitSha(5))));
    expect(error.code).toBe('BUILD_NOT_FOUND');
    expect(h.s3.count('PutObject') + h.s3.count('CopyObject')).toBe(0);
  });

  it('runs the preflight after the plan, before confirmation and the journal: a corrupt build writes nothing', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    // A build file replaced after publish: its size and ETag no longer match build.json.
    h.s3.put(ARTIFACTS, `builds/${commit}/site/index.html`, '<html>tampered after publish</html>');
    let asked = 0;
    const error = await rejectionOf(
      runDeploy(
        h.deps,
        request(commit, {
          confirm: async () => {
            asked += 1;
            return true;
          },
        }),
      ),
    );
    expect(error.code).toBe('BUILD_CORRUPT');
    expect(error.message).toContain('index.html');
    // The plan ran (the hosting bucket was listed); nobody was asked, nothing journaled, locked or copied.
    expect(h.s3.calls.some((c) => c.operation === 'ListObjectsV2' && c.bucket === HOSTING)).toBe(true);
    expect(asked).toBe(0);
    expect(h.journal()).toBeUndefined();
    expect(h.s3.count('PutObject') + h.s3.count('CopyObject')).toBe(0);
    expect(h.hostingKeys()).toEqual([]);
  });
});

describe('runDeploy: the lock taken alongside the preflight (nobody to confirm)', () => {
  const tamper = (h: Harness, commit: string) =>
    h.s3.put(ARTIFACTS, `builds/${commit}/site/index.html`, '<html>tampered after publish</html>');

  it('a corrupt build is refused as BUILD_CORRUPT, the lock it took released: nothing journaled, locked or copied', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    tamper(h, commit);
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('BUILD_CORRUPT');
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
    expect(h.journal()).toBeUndefined();
    expect(h.history()).toEqual([]);
    expect(h.s3.count('CopyObject')).toBe(0);
    expect(h.hostingKeys()).toEqual([]);
  });

  it('a corrupt build is BUILD_CORRUPT even while another deploy holds the lock, whose lock is untouched', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    tamper(h, commit);
    const holder = holdLockAsBob(h);
    const error = await rejectionOf(runDeploy(h.deps, request(commit)));
    expect(error.code).toBe('BUILD_CORRUPT');
    expect(JSON.parse(h.s3.text(ARTIFACTS, 'locks/prod.json')!)).toEqual(holder);
    expect(h.journal()).toBeUndefined();
    expect(h.hostingKeys()).toEqual([]);
  });

  it('the lock request goes out before the preflight listing has answered', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const order: string[] = [];
    h.s3.onCall = (call) => {
      if (call.operation === 'PutObject' && call.key === 'locks/prod.json') order.push('lock');
    };
    // The build listing answers late: everything else goes on meanwhile.
    let answer!: () => void;
    const late = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const original = h.s3.client.send.bind(h.s3.client);
    h.s3.client.send = (async (command: { input?: { Prefix?: string } }, options?: unknown) => {
      if (command.input?.Prefix?.startsWith('builds/')) {
        await late;
        order.push('build listing');
      }
      return original(command as never, options as never);
    }) as typeof h.s3.client.send;
    const deploying = runDeploy(h.deps, request(commit));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(true);
    expect(copiedKeys(h.s3)).toEqual([]);
    answer();
    const report = await deploying;
    expect(report.status).toBe('deployed');
    expect(order).toEqual(['lock', 'build listing']);
  });
});

describe('runDeploy: history entries are written in the background, the journal first', () => {
  it('the pending entry is in place before index.html is copied', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    let entryAtIndex: string | undefined;
    h.s3.onCall = (call) => {
      if (call.operation === 'CopyObject' && call.key === 'index.html') {
        entryAtIndex = h.history()[0]?.status;
      }
    };
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('deployed');
    expect(entryAtIndex).toBe('pending');
    expect(h.history().map((e) => e.status)).toEqual(['complete']);
  });

  it('a pending entry that cannot be written stops the release before index.html goes live (incomplete)', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    h.s3.fail = (call) =>
      call.operation === 'PutObject' && call.key?.startsWith(historyPrefix('prod'))
        ? s3Error('AccessDenied', 403)
        : undefined;
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('incomplete');
    expect(copiedKeys(h.s3)).not.toContain('index.html');
    expect(h.journal()?.status).toBe('pending');
    expect(h.journal()?.failure?.step).toBe('copied');
  });

  it('a complete entry that cannot be written is a warning: deployed, the journal complete', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    let entryWrites = 0;
    h.s3.fail = (call) => {
      if (call.operation !== 'PutObject' || !call.key?.startsWith(historyPrefix('prod'))) return undefined;
      entryWrites += 1;
      return entryWrites > 1 ? s3Error('AccessDenied', 403) : undefined;
    };
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('deployed');
    expect(h.journal()?.status).toBe('complete');
    expect(report.warnings.join('\n')).toContain('writing the release history failed');
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
  });
});

describe('runDeploy: a release that fails after going live is incomplete, and the next run finishes it', () => {
  it('regression: the invalidation API down after the copy → incomplete with the missing steps; the retry finishes, never noop', async () => {
    const h = harness();
    publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commitSha(1)));
    const commit = publish(h.s3, 2, site(2));
    h.cdnDown.value = true;
    const failed = await runDeploy(h.deps, request(commit));
    expect(failed.status).toBe('incomplete');
    expect(failed.error?.code).toBe('INVALIDATION_FAILED');
    expect(failed.missing).toEqual(['invalidated', 'verified', 'tagged', 'pruned', 'published']);
    expect(failed.finishCommand).toBe('frontendops status --finish --stack prod');
    expect(h.journal()).toMatchObject({ status: 'pending', failure: { step: 'invalidated' } });
    expect(h.live()).toBe(commit);

    h.cdnDown.value = false;
    const retried = await runDeploy(h.deps, request(commit));
    expect(retried.status).toBe('deployed');
    expect(retried.previous).toMatchObject({ action: 'finish', missing: failed.missing });
    expect(retried.copied).toBe(failed.copied);
    expect(h.invalidations.at(-1)?.paths).toContain('/index.html');
    expect(h.journal()).toMatchObject({ status: 'complete', releaseId: failed.releaseId });
    expect(h.journal()?.failure).toBeUndefined();
    expect((await runDeploy(h.deps, request(commit))).status).toBe('noop');
  });

  it('a copy that fails for good is incomplete, index.html never went live, and the retry copies again', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    h.s3.fail = (call) =>
      call.operation === 'CopyObject' && call.key === 'favicon.svg'
        ? s3Error('AccessDenied', 403)
        : undefined;
    const failed = await runDeploy(h.deps, request(commit));
    expect(failed.status).toBe('incomplete');
    expect(failed.error?.code).toBe('S3_ERROR');
    expect(failed.missing?.[0]).toBe('copied');
    expect(h.s3.bucket(HOSTING).has('index.html')).toBe(false);
    expect(h.s3.bucket(HOSTING).has('docs/index.html')).toBe(false);
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);

    h.s3.fail = undefined;
    const retried = await runDeploy(h.deps, request(commit));
    expect(retried.status).toBe('deployed');
    expect(h.s3.bucket(HOSTING).get('index.html')?.body.toString()).toBe(site(1)['index.html']);
  });

  it('a tag that fails is incomplete; the next run tags the same release', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    let fail = true;
    const tag = async () => {
      if (fail) throw new FrontendOpsError('GITHUB_ERROR', 'github is down');
      return 'dashboard-deploy-20261123-1';
    };
    const failed = await runDeploy(h.deps, request(commit, { tag }));
    expect(failed).toMatchObject({ status: 'incomplete', missing: ['tagged', 'pruned', 'published'] });
    fail = false;
    const retried = await runDeploy(h.deps, request(commit, { tag }));
    expect(retried).toMatchObject({ status: 'deployed', tag: 'dashboard-deploy-20261123-1' });
    expect(h.journal()?.tag).toBe('dashboard-deploy-20261123-1');
  });

  it('status --finish finishes the unfinished release, and says when there is none', async () => {
    const h = harness();
    const none = await finishRelease(h.deps, request(commitSha(1)));
    expect(none).toMatchObject({ status: 'noop', nothingToFinish: true });
    const commit = publish(h.s3, 1, site(1));
    h.cdnDown.value = true;
    expect((await runDeploy(h.deps, request(commit))).status).toBe('incomplete');
    h.cdnDown.value = false;
    const finished = await finishRelease(h.deps, request(commitSha(9)));
    expect(finished).toMatchObject({ status: 'deployed', commit, previous: { action: 'finish' } });
    expect(h.journal()?.status).toBe('complete');
  });

  it('a deploy of another commit replaces an unfinished release: its files are kept, its invalidation taken over', async () => {
    const h = harness();
    publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commitSha(1)));
    publish(h.s3, 2, site(2, { 'extra.txt': 'only in 2' }));
    h.cdnDown.value = true;
    const stuck = await runDeploy(h.deps, request(commitSha(2)));
    expect(stuck.status).toBe('incomplete');
    h.cdnDown.value = false;
    publish(h.s3, 3, site(3));
    const next = await runDeploy(h.deps, request(commitSha(3)));
    expect(next).toMatchObject({
      status: 'deployed',
      previous: { action: 'supersede', releaseId: stuck.releaseId },
    });
    // release 2's files: its page may have been live, so they stay (kept for older pages)
    expect(h.s3.bucket(HOSTING).has('assets/index-V2aaaaaa.js')).toBe(true);
    expect(h.s3.bucket(HOSTING).has('extra.txt')).toBe(true);
    // release 2 was never invalidated: this release invalidates what 2 changed too
    expect(h.invalidations.at(-1)?.paths).toContain('/extra.txt');
    const replaced = h.history().find((e) => e.releaseId === stuck.releaseId);
    expect(replaced).toMatchObject({
      status: 'rolled_back',
      endedBy: { reason: 'superseded', releaseId: next.releaseId },
    });
    expect(h.journal()).toMatchObject({ status: 'complete', supersedes: stuck.releaseId });
  });
});

describe('runDeploy: the check after going live, and the automatic rollback', () => {
  it('regression: version.json naming another commit rolls back to the previous complete release (rolled_back)', async () => {
    const h = harness({ verifyCommit: (live) => (live === commitSha(2) ? commitSha(99) : live) });
    publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commitSha(1)));
    publish(h.s3, 2, site(2));
    const report = await runDeploy(h.deps, request(commitSha(2)));
    expect(report).toMatchObject({
      status: 'rolled_back',
      commit: commitSha(2),
      error: { code: 'VERIFY_FAILED' },
      restored: { commit: commitSha(1), status: 'complete' },
    });
    expect(h.live()).toBe(commitSha(1));
    for (const [path, content] of Object.entries(site(1))) {
      expect(h.s3.bucket(HOSTING).get(path)?.body.toString()).toBe(content);
    }
    const [first, failed, restore] = h.history();
    expect(first?.status).toBe('complete');
    expect(failed).toMatchObject({
      commit: commitSha(2),
      status: 'rolled_back',
      endedBy: { reason: 'health-check' },
    });
    expect(failed?.failure?.code).toBe('VERIFY_FAILED');
    expect(restore).toMatchObject({ commit: commitSha(1), kind: 'auto-rollback', status: 'complete' });
    expect(h.journal()).toMatchObject({
      kind: 'auto-rollback',
      status: 'complete',
      supersedes: failed?.releaseId,
    });
    const document = DeploymentsDocumentSchema.parse(JSON.parse(h.s3.text(HOSTING, 'deployments.json')!));
    expect(document.releases.map((r) => [r.kind, r.status])).toEqual([
      ['auto-rollback', 'complete'],
      ['deploy', 'rolled_back'],
      ['deploy', 'complete'],
    ]);
    expect(document.live).toBe(restore?.releaseId);
  });

  it('a failed health check (an asset with the wrong Content-Type) rolls back; the report names what failed', async () => {
    const h = harness();
    const checked: string[][] = [];
    const checkHealth = async (input: { files: ReadonlyArray<{ path: string }> }): Promise<HealthResult> => {
      checked.push(input.files.map((f) => f.path));
      const broken = input.files.some((f) => f.path === 'assets/index-V2aaaaaa.js');
      return broken
        ? {
            ok: false,
            checked: 3,
            durationMs: 5,
            failures: [
              {
                path: 'assets/index-V2aaaaaa.js',
                reason: 'wrong Content-Type',
                status: 200,
                contentType: 'text/plain',
                expected: 'text/javascript; charset=utf-8',
              },
            ],
          }
        : { ok: true, checked: 3, durationMs: 5, failures: [] };
    };
    const deps = { ...h.deps, checkHealth };
    publish(h.s3, 1, site(1));
    await runDeploy(deps, request(commitSha(1)));
    publish(h.s3, 2, site(2));
    const report = await runDeploy(deps, request(commitSha(2)));
    expect(report.status).toBe('rolled_back');
    expect(report.error?.code).toBe('HEALTH_CHECK_FAILED');
    expect(report.health?.failures[0]).toMatchObject({
      path: 'assets/index-V2aaaaaa.js',
      contentType: 'text/plain',
    });
    expect(h.live()).toBe(commitSha(1));
    expect(checked).toHaveLength(3);
  });

  it('with autoRollback off, a failed check leaves the release live and reports it incomplete', async () => {
    const h = harness({ verifyCommit: (live) => (live === commitSha(2) ? commitSha(99) : live) });
    publish(h.s3, 1, site(1));
    await runDeploy(h.deps, request(commitSha(1)));
    publish(h.s3, 2, site(2));
    const report = await runDeploy(h.deps, request(commitSha(2), { autoRollback: false }));
    expect(report).toMatchObject({
      status: 'incomplete',
      error: { code: 'VERIFY_FAILED' },
      missing: ['verified', 'tagged', 'pruned', 'published'],
    });
    expect(report.error?.hint).toContain('autoRollback is off');
    expect(h.live()).toBe(commitSha(2));
    expect(h.journal()).toMatchObject({ status: 'pending', failure: { step: 'verified' } });
  });

  it('the first release of a stack has nothing to roll back to: incomplete, said plainly', async () => {
    const h = harness({ verifyCommit: () => commitSha(99) });
    const commit = publish(h.s3, 1, site(1));
    const report = await runDeploy(h.deps, request(commit));
    expect(report.status).toBe('incomplete');
    expect(report.error?.hint).toContain('no earlier complete release');
  });
});

describe('runDeploy: the lock', () => {
  it('stops before index.html with LOCK_LOST when the lock was taken over mid-copy, writing nothing more', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    h.s3.onCall = (call) => {
      if (call.operation === 'CopyObject' && call.key === 'favicon.svg') {
        h.s3.onCall = undefined;
        const lock = JSON.parse(h.s3.text(ARTIFACTS, 'locks/prod.json')!);
        h.s3.put(
          ARTIFACTS,
          'locks/prod.json',
          JSON.stringify({ ...lock, lockId: 'thief-lock-1', owner: 'carol' }),
        );
      }
    };
    const journalBefore = () => h.s3.text(ARTIFACTS, currentReleaseKey('prod'));
    const error = await rejectionOf(
      runDeploy({ ...h.deps, monotonic: fakeMonotonic() }, request(commit, { concurrency: 1 })),
    );
    expect(error.code).toBe('LOCK_LOST');
    expect(h.s3.bucket(HOSTING).has('index.html')).toBe(false);
    expect(JSON.parse(h.s3.text(ARTIFACTS, 'locks/prod.json')!).owner).toBe('carol');
    expect(ReleaseRecordSchema.parse(JSON.parse(journalBefore()!)).steps.copied.done).toBe(false);
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
    expect(h.s3.bucket(HOSTING).has('deployments.json')).toBe(true);
    const deleteAt = h.s3.calls.findIndex((c, i) => i >= mark && c.operation === 'DeleteObjects');
    // atCall counts the S3 calls made before the invalidation: the delete is one of the calls after it
    expect(deleteAt).toBeGreaterThanOrEqual(h.invalidations.at(-1)!.atCall);
    expect(h.invalidations.at(-1)!.atCall).toBeGreaterThan(mark);
  });

  it('regression: the deletes an interrupted release planned are done by the run that finishes it, not kept as unknown', async () => {
    const h = harness();
    for (const version of [1, 2, 3]) {
      publish(h.s3, version, site(version));
      await runDeploy(h.deps, request(commitSha(version)));
    }
    publish(h.s3, 4, site(4));
    h.cdnDown.value = true;
    const stuck = await runDeploy(h.deps, request(commitSha(4)));
    expect(stuck.status).toBe('incomplete');
    // the journal knows what the release meant to delete once invalidated
    expect(h.journal()?.deleteLater).toEqual(['assets/index-V1aaaaaa.js']);
    expect(h.s3.bucket(HOSTING).has('assets/index-V1aaaaaa.js')).toBe(true);
    h.cdnDown.value = false;
    const finished = await runDeploy(h.deps, request(commitSha(4)));
    expect(finished).toMatchObject({ status: 'deployed', deleted: 1, previous: { action: 'finish' } });
    expect(finished.plan.unknown.count).toBe(0);
    expect(h.s3.bucket(HOSTING).has('assets/index-V1aaaaaa.js')).toBe(false);
  });

  it('a rollback to a same-size older build restores it exactly, recorded as kind rollback', async () => {
    const h = harness();
    const blue = site(1, { 'theme.css': 'body{color:blue}' });
    const pink = site(2, { 'theme.css': 'body{color:pink}' });
    pink['version.json'] = (blue['version.json'] ?? '').replace(commitSha(1), commitSha(2));
    publish(h.s3, 1, blue);
    publish(h.s3, 2, pink);
    await runDeploy(h.deps, request(commitSha(1)));
    await runDeploy(h.deps, request(commitSha(2)));
    const report = await runDeploy(h.deps, request(commitSha(1), { kind: 'rollback' }));
    expect(report).toMatchObject({ status: 'deployed', kind: 'rollback' });
    for (const [path, content] of Object.entries(blue)) {
      expect(h.s3.bucket(HOSTING).get(path)?.body.toString()).toBe(content);
    }
    expect(h.live()).toBe(commitSha(1));
    expect(h.journal()).toMatchObject({ kind: 'rollback', trigger: 'cli' });
  });
});

describe('runDeploy: verify, tag and progress', () => {
  // Was "fails with VERIFY_FAILED …, still recording the live release" (a thrown error): in the journal
  // the release that went live is reported, not thrown — incomplete, with the check as the failed step.
  it('VERIFY_FAILED when the site serves another commit: the live release is recorded and reported incomplete', async () => {
    const h = harness({ verifyCommit: () => commitSha(99) });
    const commit = publish(h.s3, 1, site(1));
    const report = await runDeploy(h.deps, request(commit));
    expect(report).toMatchObject({ status: 'incomplete', error: { code: 'VERIFY_FAILED' } });
    expect(h.journal()).toMatchObject({ commit, status: 'pending', failure: { step: 'verified' } });
    expect(h.history().some((e) => e.commit === commit)).toBe(true);
    expect(h.s3.bucket(ARTIFACTS).has('locks/prod.json')).toBe(false);
  });

  // Was "skips verification with a note when the site is unreachable" (verified, deployed): an
  // unreachable site is now ENDPOINT_UNREACHABLE naming it. It says nothing about the release, so the
  // release is reported incomplete (verify missing) and never rolled back because of it.
  it('ENDPOINT_UNREACHABLE naming the site when it refuses every connection: incomplete, not rolled back', async () => {
    const refused = () =>
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      });
    const h = harness({ verifyCommit: (live) => (live === commitSha(2) ? refused() : live) });
    publish(h.s3, 1, site(1));
    expect((await runDeploy(h.deps, request(commitSha(1)))).status).toBe('deployed');
    const commit = publish(h.s3, 2, site(2));
    const report = await runDeploy(h.deps, request(commit));
    expect(report).toMatchObject({
      status: 'incomplete',
      error: { code: 'ENDPOINT_UNREACHABLE' },
      missing: ['verified', 'tagged', 'pruned', 'published'],
    });
    expect(report.error?.message).toContain(new URL(URL_).host);
    expect(report.error?.data).toMatchObject({ service: 'edge', kind: 'refused', attempts: 3 });
    expect(report.restored).toBeUndefined();
    // The release went live before verify: it is recorded, still live, and the lock is released.
    expect(h.live()).toBe(commit);
    expect(h.journal()).toMatchObject({
      commit,
      status: 'pending',
      failure: { step: 'verified', code: 'ENDPOINT_UNREACHABLE' },
    });
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
    expect(h2.journal()?.steps.verified).toMatchObject({ done: true, note: 'the build has no version.json' });
  });

  it('saves the tag in the release record', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const report = await runDeploy(
      h.deps,
      request(commit, { tag: async () => 'dashboard-deploy-20261123-1' }),
    );
    expect(report.tag).toBe('dashboard-deploy-20261123-1');
    expect(h.journal()?.tag).toBe('dashboard-deploy-20261123-1');
  });

  it('reports progress for each step and copy', async () => {
    const h = harness();
    const commit = publish(h.s3, 1, site(1));
    const events: string[] = [];
    await runDeploy(
      { ...h.deps, onProgress: (e) => events.push(e.phase ? `${e.step}:${e.phase}:${e.done}` : e.step) },
      request(commit),
    );
    // the preflight checks the build after the plan and before the lock (and before any question)
    expect(events.slice(0, 3)).toEqual(['plan', 'preflight', 'lock']);
    expect(events.indexOf('journal')).toBeLessThan(events.findIndex((e) => e.startsWith('copy')));
    expect(events).toContain('copy:index:6');
    expect(events.indexOf('record')).toBeGreaterThan(events.indexOf('copy:index:6'));
    expect(events).toContain('publish');
  });
});

/** A monotonic clock that moves a second per call: every fence is a real conditional write. */
function fakeMonotonic(): () => number {
  let t = 0;
  return () => {
    t += 1_001;
    return t;
  };
}
