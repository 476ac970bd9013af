import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkSiteHealth,
  checkSiteVersion,
  type HealthDeps,
  type HealthFile,
  healthCheckError,
  healthOptionsFrom,
  RETRY_BASE_MS,
  UNANSWERED_RETRY_MS,
} from '../../../agent/src/deploy/health.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';
import { rejectionOf } from '../../support/rejection.js';

const SITE = 'https://d111.cloudfront.example';
const COMMIT = 'a'.repeat(40);
const OLD_COMMIT = 'b'.repeat(40);

type Reply = { status?: number; type?: string | null; body?: string } | 'refused' | 'hang' | 'reset';

/** A site as the edge serves it: URL → what it answers, possibly changing per attempt. */
class FakeEdge {
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly routes = new Map<string, Reply | ((attempt: number) => Reply)>();

  route(url: string, reply: Reply | ((attempt: number) => Reply)): this {
    this.routes.set(url, reply);
    return this;
  }

  attempts(url: string): number {
    return this.calls.filter((c) => c === url).length;
  }

  readonly fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    this.calls.push(url);
    const signal = init?.signal ?? undefined;
    const route = this.routes.get(url) ?? { status: 404, type: 'application/xml', body: '<Error/>' };
    const reply = typeof route === 'function' ? route(this.attempts(url)) : route;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Let other requests start, as a real network would.
      await Promise.resolve();
      await Promise.resolve();
      if (reply === 'refused') {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        });
      }
      if (reply === 'reset') {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
        });
      }
      if (reply === 'hang') {
        return await new Promise<Response>((_resolve, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      const headers = new Headers();
      if (reply.type !== null) headers.set('content-type', reply.type ?? 'application/octet-stream');
      // Bytes, not a string: a string body would make Response add text/plain itself.
      return new Response(new TextEncoder().encode(reply.body ?? ''), {
        status: reply.status ?? 200,
        headers,
      });
    } finally {
      this.inFlight -= 1;
    }
  }) as typeof fetch;
}

/** A clock that only moves when the code under test sleeps; timeouts fire as soon as they are armed. */
function fakeDeps(edge: FakeEdge, options: { timeoutsFire?: boolean } = {}) {
  let t = Date.parse('2026-11-23T10:00:00Z');
  const slept: number[] = [];
  const timeouts: number[] = [];
  const deps: HealthDeps = {
    fetch: edge.fetch,
    now: () => new Date(t),
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    timeout: (ms) => {
      timeouts.push(ms);
      const controller = new AbortController();
      if (options.timeoutsFire) {
        // The request's own time passes on the fake clock when it times out.
        setImmediate(() => {
          t += ms;
          controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
        });
      }
      return controller.signal;
    },
  };
  return { deps, slept, timeouts, elapsed: () => t - Date.parse('2026-11-23T10:00:00Z') };
}

const PAGE_HTML = `<!doctype html><html><head>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<script type="module" crossorigin src="/assets/index-B1a2c3d4.js"></script>
<link rel="modulepreload" href="/assets/vendor-C9d8e7f6.js">
<link rel="stylesheet" href="/assets/index-D4e5f6a7.css">
<script src="https://cdn.other.example/analytics.js"></script>
</head><body><div id="root"></div></body></html>`;

const FILES: HealthFile[] = [
  { path: 'index.html', contentType: 'text/html; charset=utf-8' },
  { path: 'version.json', contentType: 'application/json; charset=utf-8' },
  { path: 'favicon.svg', contentType: 'image/svg+xml' },
  { path: 'assets/index-B1a2c3d4.js', contentType: 'text/javascript; charset=utf-8' },
  { path: 'assets/vendor-C9d8e7f6.js', contentType: 'text/javascript; charset=utf-8' },
  { path: 'assets/index-D4e5f6a7.css', contentType: 'text/css; charset=utf-8' },
];

function healthyEdge(base = SITE): FakeEdge {
  return new FakeEdge()
    .route(`${base}/`, { type: 'text/html', body: PAGE_HTML })
    .route(`${base}/version.json`, { type: 'application/json', body: JSON.stringify({ commit: COMMIT }) })
    .route(`${SITE}/favicon.svg`, { type: 'image/svg+xml', body: '<svg/>' })
    .route(`${SITE}/assets/index-B1a2c3d4.js`, { type: 'text/javascript; charset=utf-8', body: 'x()' })
    .route(`${SITE}/assets/vendor-C9d8e7f6.js`, { type: 'text/javascript', body: 'v()' })
    .route(`${SITE}/assets/index-D4e5f6a7.css`, { type: 'TEXT/CSS', body: 'body{}' });
}

const input = (files: HealthFile[] = FILES) => ({ url: SITE, commit: COMMIT, files });

describe('checkSiteHealth: a healthy site', () => {
  it('fetches the page, version.json and every same-origin reference once; never the foreign one', async () => {
    const edge = healthyEdge();
    const { deps } = fakeDeps(edge);
    const report = await checkSiteHealth(deps, input());
    expect(report).toEqual({ ok: true, checked: 6, failures: [], durationMs: 0 });
    expect([...edge.calls].sort()).toEqual(
      [
        `${SITE}/`,
        `${SITE}/version.json`,
        `${SITE}/favicon.svg`,
        `${SITE}/assets/index-B1a2c3d4.js`,
        `${SITE}/assets/vendor-C9d8e7f6.js`,
        `${SITE}/assets/index-D4e5f6a7.css`,
      ].sort(),
    );
    expect(edge.calls.some((c) => c.includes('cdn.other.example'))).toBe(false);
  });

  it('compares Content-Type by media type: charset and case do not matter, the type does', async () => {
    const edge = healthyEdge().route(`${SITE}/assets/vendor-C9d8e7f6.js`, {
      type: 'Text/JavaScript',
      body: 'v()',
    });
    expect((await checkSiteHealth(fakeDeps(edge).deps, input())).ok).toBe(true);
    // application/javascript is a JavaScript type too, but not the one the build declared.
    edge.route(`${SITE}/assets/vendor-C9d8e7f6.js`, { type: 'application/javascript', body: 'v()' });
    const report = await checkSiteHealth(fakeDeps(edge).deps, input(), { retryBudgetMs: 0 });
    expect(report.failures).toEqual([
      expect.objectContaining({ path: 'assets/vendor-C9d8e7f6.js', contentType: 'application/javascript' }),
    ]);
  });

  it('a site under a hosting prefix: the page at <prefix>/, references mapped to site paths', async () => {
    const base = 'https://cdn.example/dashboard';
    const html =
      '<script type="module" src="assets/app.js?v=2"></script><link rel="icon" href="/dashboard/i.png">';
    const edge = new FakeEdge()
      .route(`${base}/`, { type: 'text/html', body: html })
      .route(`${base}/version.json`, { type: 'application/json', body: JSON.stringify({ commit: COMMIT }) })
      .route(`${base}/assets/app.js?v=2`, { type: 'text/html', body: '<!doctype html>' })
      .route(`${base}/i.png`, { type: 'image/png', body: 'png' });
    const { deps } = fakeDeps(edge);
    const report = await checkSiteHealth(
      deps,
      {
        url: base,
        commit: COMMIT,
        files: [
          { path: 'index.html', contentType: 'text/html' },
          { path: 'version.json', contentType: 'application/json' },
          { path: 'assets/app.js', contentType: 'text/javascript' },
          { path: 'i.png', contentType: 'image/png' },
        ],
      },
      { retryBudgetMs: 0 },
    );
    expect(report.failures).toEqual([
      {
        path: 'assets/app.js',
        reason: 'served as text/html, the build declares text/javascript',
        status: 200,
        contentType: 'text/html',
        expected: 'text/javascript',
        code: 'HEALTH_CHECK_FAILED',
      },
    ]);
  });
});

describe('checkSiteHealth: failures are reported, naming the file', () => {
  it('an asset missing from the bucket (404) fails after the retry budget, with backoff', async () => {
    const edge = healthyEdge().route(`${SITE}/assets/index-D4e5f6a7.css`, {
      status: 404,
      type: 'application/xml',
    });
    const { deps, slept } = fakeDeps(edge);
    const report = await checkSiteHealth(deps, input(), { retryBudgetMs: 5_000 });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      {
        path: 'assets/index-D4e5f6a7.css',
        reason: 'answered HTTP 404',
        status: 404,
        code: 'HEALTH_CHECK_FAILED',
      },
    ]);
    // 0.5 + 1 + 2 s fit in 5 s; the next 4 s would not.
    expect(slept).toEqual([RETRY_BASE_MS, 2 * RETRY_BASE_MS, 4 * RETRY_BASE_MS]);
    expect(edge.attempts(`${SITE}/assets/index-D4e5f6a7.css`)).toBe(4);
    expect(report.durationMs).toBe(3_500);
  });

  it('a 404 that turns into 200 while the CDN propagates is not a failure', async () => {
    const edge = healthyEdge().route(`${SITE}/favicon.svg`, (attempt) =>
      attempt < 3 ? { status: 404 } : { type: 'image/svg+xml', body: '<svg/>' },
    );
    const { deps, slept } = fakeDeps(edge);
    const report = await checkSiteHealth(deps, input());
    expect(report.ok).toBe(true);
    expect(slept).toEqual([500, 1000]);
  });

  it('the SPA fallback (index.html served for a missing script) is a wrong Content-Type', async () => {
    const edge = healthyEdge().route(`${SITE}/assets/index-B1a2c3d4.js`, {
      type: 'text/html; charset=utf-8',
      body: PAGE_HTML,
    });
    const { deps } = fakeDeps(edge);
    const report = await checkSiteHealth(deps, input(), { retryBudgetMs: 1_000 });
    expect(report.failures).toEqual([
      {
        path: 'assets/index-B1a2c3d4.js',
        reason: 'served as text/html; charset=utf-8, the build declares text/javascript',
        status: 200,
        contentType: 'text/html; charset=utf-8',
        expected: 'text/javascript; charset=utf-8',
        code: 'HEALTH_CHECK_FAILED',
      },
    ]);
  });

  it('a response without Content-Type fails against the declared one', async () => {
    const edge = healthyEdge().route(`${SITE}/favicon.svg`, { type: null, body: '<svg/>' });
    const { deps } = fakeDeps(edge);
    const report = await checkSiteHealth(deps, input(), { retryBudgetMs: 0 });
    expect(report.failures[0]).toMatchObject({
      path: 'favicon.svg',
      reason: expect.stringMatching(/no Content-Type/),
    });
  });

  it('a 401 is not retried (not a propagation status)', async () => {
    const edge = healthyEdge().route(`${SITE}/favicon.svg`, { status: 401 });
    const { deps, slept } = fakeDeps(edge);
    const report = await checkSiteHealth(deps, input());
    expect(report.failures).toEqual([
      { path: 'favicon.svg', reason: 'answered HTTP 401', status: 401, code: 'HEALTH_CHECK_FAILED' },
    ]);
    expect(slept).toEqual([]);
  });

  it('a page that does not load stops there: index.html fails, no asset is fetched', async () => {
    const edge = healthyEdge().route(`${SITE}/`, { status: 503 });
    const { deps } = fakeDeps(edge);
    const report = await checkSiteHealth(deps, input(), { retryBudgetMs: 0 });
    expect(report.failures).toEqual([
      { path: 'index.html', reason: 'answered HTTP 503', status: 503, code: 'HEALTH_CHECK_FAILED' },
    ]);
    expect(report.checked).toBe(2);
    expect(edge.calls.some((c) => c.includes('/assets/'))).toBe(false);
  });

  it('index.html that is not this build (sha256) is retried, then reported', async () => {
    const sha = createHash('sha256').update('<!doctype html><p>new</p>').digest('hex');
    const edge = healthyEdge().route(`${SITE}/`, (attempt) =>
      attempt === 1
        ? { type: 'text/html', body: '<!doctype html><p>old</p>' }
        : { type: 'text/html', body: '<!doctype html><p>new</p>' },
    );
    const files = FILES.map((f) => (f.path === 'index.html' ? { ...f, sha256: sha } : f));
    const { deps } = fakeDeps(edge);
    expect((await checkSiteHealth(deps, input(files))).ok).toBe(true);
    const stale = healthyEdge().route(`${SITE}/`, { type: 'text/html', body: '<!doctype html><p>old</p>' });
    const report = await checkSiteHealth(fakeDeps(stale).deps, input(files), { retryBudgetMs: 0 });
    expect(report.failures).toEqual([
      expect.objectContaining({ path: 'index.html', reason: expect.stringMatching(/another index\.html/) }),
    ]);
  });

  it('version.json naming the previous commit is VERIFY_FAILED after the budget; stale then fresh passes', async () => {
    const stale = healthyEdge().route(`${SITE}/version.json`, {
      type: 'application/json',
      body: JSON.stringify({ commit: OLD_COMMIT }),
    });
    const report = await checkSiteHealth(fakeDeps(stale).deps, input(), { retryBudgetMs: 2_000 });
    expect(report.failures).toEqual([
      {
        path: 'version.json',
        reason: `names commit ${OLD_COMMIT}, not ${COMMIT}`,
        status: 200,
        code: 'VERIFY_FAILED',
      },
    ]);
    const error = healthCheckError(report, SITE);
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toContain(`${SITE}/ failed its health check: version.json names commit`);

    const catchingUp = healthyEdge().route(`${SITE}/version.json`, (attempt) => ({
      type: 'application/json',
      body: JSON.stringify({ commit: attempt < 2 ? OLD_COMMIT : COMMIT }),
    }));
    expect((await checkSiteHealth(fakeDeps(catchingUp).deps, input())).ok).toBe(true);
  });

  it('a build without version.json has no commit check; a malformed one fails', async () => {
    const edge = healthyEdge();
    const report = await checkSiteHealth(
      fakeDeps(edge).deps,
      input(FILES.filter((f) => f.path !== 'version.json')),
    );
    expect(report.ok).toBe(true);
    expect(edge.calls).not.toContain(`${SITE}/version.json`);
    const garbled = healthyEdge().route(`${SITE}/version.json`, {
      type: 'application/json',
      body: '{"v":1}',
    });
    const failed = await checkSiteHealth(fakeDeps(garbled).deps, input(), { retryBudgetMs: 0 });
    expect(failed.failures[0]).toMatchObject({ path: 'version.json', code: 'VERIFY_FAILED' });
  });

  it('mixed failures make HEALTH_CHECK_FAILED listing them, most relevant first', async () => {
    const edge = healthyEdge()
      .route(`${SITE}/favicon.svg`, { status: 404 })
      .route(`${SITE}/assets/index-D4e5f6a7.css`, { type: 'text/plain', body: '' })
      .route(`${SITE}/version.json`, {
        type: 'application/json',
        body: JSON.stringify({ commit: OLD_COMMIT }),
      });
    const report = await checkSiteHealth(fakeDeps(edge).deps, input(), { retryBudgetMs: 0 });
    expect(report.failures.map((f) => f.path)).toEqual([
      'version.json',
      'favicon.svg',
      'assets/index-D4e5f6a7.css',
    ]);
    const error = healthCheckError(report, SITE);
    expect(error.code).toBe('HEALTH_CHECK_FAILED');
    expect(error.data).toMatchObject({ checked: 6, failures: report.failures });
  });

  it('a same-origin file outside the build is checked by its extension’s type', async () => {
    const html = '<link rel="manifest" href="/site.webmanifest"><script src="/extra/tool.js"></script>';
    const edge = healthyEdge()
      .route(`${SITE}/`, { type: 'text/html', body: html })
      .route(`${SITE}/site.webmanifest`, { type: 'text/html', body: '<!doctype html>' })
      .route(`${SITE}/extra/tool.js`, { type: 'text/javascript', body: '' });
    const report = await checkSiteHealth(fakeDeps(edge).deps, input(), { retryBudgetMs: 0 });
    expect(report.failures).toEqual([
      expect.objectContaining({ path: 'site.webmanifest', expected: 'application/manifest+json' }),
    ]);
  });
});

describe('checkSiteHealth: bounded work', () => {
  it('never has more requests in flight than the concurrency', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `<img src="/img/${i}.png">`).join('');
    const edge = healthyEdge().route(`${SITE}/`, { type: 'text/html', body: many });
    for (let i = 0; i < 40; i += 1) edge.route(`${SITE}/img/${i}.png`, { type: 'image/png', body: 'p' });
    const report = await checkSiteHealth(fakeDeps(edge).deps, input(), { concurrency: 3 });
    expect(report).toMatchObject({ ok: true, checked: 42 });
    expect(edge.maxInFlight).toBe(3);
  });

  it('every request gets the configured timeout', async () => {
    const { deps, timeouts } = fakeDeps(healthyEdge());
    await checkSiteHealth(deps, input(), { timeoutMs: 1_234 });
    expect(timeouts).toHaveLength(6);
    expect(new Set(timeouts)).toEqual(new Set([1_234]));
  });

  it('takes its options from the config block', () => {
    expect(
      healthOptionsFrom({ enabled: true, concurrency: 4, timeoutSeconds: 2.5, retryBudgetSeconds: 90 }),
    ).toEqual({ concurrency: 4, timeoutMs: 2_500, retryBudgetMs: 90_000 });
  });

  it('refuses a malformed call (programmer error) with BAD_INPUT', async () => {
    const { deps } = fakeDeps(healthyEdge());
    expect((await rejectionOf(checkSiteHealth(deps, { ...input(), url: 'ftp://x/' }))).code).toBe(
      'BAD_INPUT',
    );
    expect((await rejectionOf(checkSiteHealth(deps, { ...input(), url: 'not a url' }))).code).toBe(
      'BAD_INPUT',
    );
    expect((await rejectionOf(checkSiteHealth(deps, input(), { concurrency: 0 }))).code).toBe('BAD_INPUT');
    expect((await rejectionOf(checkSiteHealth(deps, input(), { timeoutMs: -1 }))).code).toBe('BAD_INPUT');
  });
});

describe('checkSiteHealth: an edge that does not answer', () => {
  it('refused: ENDPOINT_UNREACHABLE naming the edge after two quick retries, nothing else fetched', async () => {
    const edge = new FakeEdge().route(`${SITE}/`, 'refused').route(`${SITE}/version.json`, 'refused');
    const { deps, slept } = fakeDeps(edge);
    const error = await rejectionOf(checkSiteHealth(deps, input()));
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toMatch(/^the site at https:\/\/d111\.cloudfront\.example refused the connection/);
    expect(error.data).toMatchObject({ service: 'edge', endpoint: SITE, kind: 'refused', attempts: 3 });
    expect(edge.attempts(`${SITE}/`)).toBeLessThanOrEqual(3);
    expect(slept.every((ms) => ms <= 2 * UNANSWERED_RETRY_MS)).toBe(true);
  });

  it('accepts but never answers: three attempts of the configured timeout, then ENDPOINT_UNREACHABLE', async () => {
    const edge = new FakeEdge().route(`${SITE}/`, 'hang').route(`${SITE}/version.json`, 'hang');
    const { deps, elapsed } = fakeDeps(edge, { timeoutsFire: true });
    const error = await rejectionOf(checkSiteHealth(deps, input(), { timeoutMs: 5_000 }));
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toMatch(/did not answer within 5 s/);
    expect(error.data).toMatchObject({
      service: 'edge',
      kind: 'no-response',
      attempts: 3,
      timeoutMs: 5_000,
    });
    // Two requests in parallel, three timeouts each, plus the two short pauses: bounded by the attempts.
    expect(elapsed()).toBeLessThanOrEqual(2 * 3 * 5_000 + 3 * UNANSWERED_RETRY_MS);
  });

  it('one file that never answers while the edge serves the rest is that file failing', async () => {
    const edge = healthyEdge().route(`${SITE}/favicon.svg`, 'hang');
    const { deps } = fakeDeps(edge, { timeoutsFire: true });
    const report = await checkSiteHealth(deps, input(), { timeoutMs: 2_000 });
    expect(report.failures).toEqual([
      { path: 'favicon.svg', reason: 'no answer within 2 s (3 attempts)', code: 'HEALTH_CHECK_FAILED' },
    ]);
  });

  it('a reset is retried like silence', async () => {
    const edge = healthyEdge().route(`${SITE}/favicon.svg`, (attempt) =>
      attempt === 1 ? 'reset' : { type: 'image/svg+xml', body: '<svg/>' },
    );
    expect((await checkSiteHealth(fakeDeps(edge).deps, input())).ok).toBe(true);
  });
});

describe('checkSiteVersion', () => {
  it('undefined when the site names the commit; the failure otherwise; throws when unreachable', async () => {
    const { deps } = fakeDeps(healthyEdge());
    expect(await checkSiteVersion(deps, { url: SITE, commit: COMMIT })).toBeUndefined();
    expect(
      await checkSiteVersion(deps, { url: SITE, commit: OLD_COMMIT }, { retryBudgetMs: 0 }),
    ).toMatchObject({
      code: 'VERIFY_FAILED',
    });
    const down = fakeDeps(new FakeEdge().route(`${SITE}/version.json`, 'refused')).deps;
    const error = await checkSiteVersion(down, { url: SITE, commit: COMMIT }).catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'ENDPOINT_UNREACHABLE')).toBe(true);
  });
});
