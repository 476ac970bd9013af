import { describe, expect, it } from 'vitest';
import { DEPLOYMENTS_URL, loadDeployments } from './deployments.js';
import type { FetchLike } from './remote.js';
import { loadVersion, VERSION_URL } from './version.js';

const SHA = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd';

/** A fake `fetch` that answers every URL with one response and records what it was asked. */
function answer(
  body: BodyInit | null,
  init: ResponseInit = {},
): FetchLike & { calls: Array<[string, RequestInit?]> } {
  const calls: Array<[string, RequestInit?]> = [];
  const fetchFn = async (url: string, requestInit?: RequestInit) => {
    calls.push([url, requestInit]);
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' }, ...init });
  };
  return Object.assign(fetchFn, { calls });
}

describe('loadVersion', () => {
  it('reads /version.json without the browser cache and returns the commit and build time', async () => {
    const fetchFn = answer(JSON.stringify({ commit: SHA, builtAt: '2026-11-23T09:32:00.000Z' }));
    await expect(loadVersion(fetchFn)).resolves.toEqual({
      state: 'ok',
      value: { commit: SHA, builtAt: '2026-11-23T09:32:00.000Z' },
    });
    expect(fetchFn.calls[0]?.[0]).toBe(VERSION_URL);
    expect(fetchFn.calls[0]?.[1]?.cache).toBe('no-store');
  });

  it('rejects a version whose commit is not a full sha, naming the field', async () => {
    const result = await loadVersion(
      answer(JSON.stringify({ commit: 'abc123', builtAt: '2026-11-23T09:32:00Z' })),
    );
    expect(result.state).toBe('error');
    expect(result.state === 'error' && result.message).toMatch(/commit/);
  });

  it.each([404, 403])('treats HTTP %i as "not published"', async (status) => {
    await expect(loadVersion(answer('missing', { status }))).resolves.toEqual({ state: 'absent' });
  });

  it('treats an HTML answer (a single-page-app fallback) as "not published"', async () => {
    const fetchFn = answer('<!doctype html><html></html>', { headers: { 'content-type': 'text/html' } });
    await expect(loadVersion(fetchFn)).resolves.toEqual({ state: 'absent' });
  });

  it('reports server errors, broken JSON and network failures as errors', async () => {
    await expect(loadVersion(answer('oops', { status: 502 }))).resolves.toEqual({
      state: 'error',
      message: '/version.json answered HTTP 502',
    });
    await expect(loadVersion(answer('{"commit":'))).resolves.toEqual({
      state: 'error',
      message: '/version.json is not valid JSON',
    });
    const offline: FetchLike = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(loadVersion(offline)).resolves.toEqual({
      state: 'error',
      message: 'could not reach /version.json',
    });
  });

  it('lets an abort propagate instead of reporting it as an error', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborting: FetchLike = () => Promise.reject(new DOMException('aborted', 'AbortError'));
    await expect(loadVersion(aborting, controller.signal)).rejects.toThrow('aborted');
  });
});

describe('loadDeployments', () => {
  const release = (overrides: Record<string, unknown>) => ({
    releaseId: 'r1',
    tag: 'dashboard-deploy-20261122-1',
    commit: 'aaaaaaa',
    subject: 'first',
    startedAt: '2026-11-20T10:00:00Z',
    finishedAt: '2026-11-20T10:00:30Z',
    requestedBy: 'maria',
    trigger: 'cli',
    kind: 'deploy',
    status: 'complete',
    filesChanged: 3,
    durationMs: 30_000,
    ...overrides,
  });
  const file = (releases: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      schema: 1,
      stack: 'dashboard-hosting-prod',
      generatedAt: '2026-11-22T10:01:00Z',
      live: 'r3',
      releases,
      ...extra,
    });

  it('fetches /deployments.json without the browser cache (every deploy republishes it)', async () => {
    const fetchFn = answer(file([]));
    await loadDeployments(fetchFn);
    expect(fetchFn.calls[0]?.[0]).toBe(DEPLOYMENTS_URL);
    expect(fetchFn.calls[0]?.[1]).toMatchObject({ cache: 'no-store' });
  });

  it('returns the releases newest first by start time, the live release id, and ignores extra fields', async () => {
    const fetchFn = answer(
      file(
        [
          release({ releaseId: 'r1', startedAt: '2026-11-20T10:00:00Z', files: [{ path: 'index.html' }] }),
          release({ releaseId: 'r3', startedAt: '2026-11-22T10:00:00Z', kind: 'rollback' }),
          release({ releaseId: 'r2', startedAt: '2026-11-21T10:00:00Z', tag: null }),
        ],
        { keep: 20 },
      ),
    );
    const result = await loadDeployments(fetchFn);
    expect(result.state).toBe('ok');
    if (result.state !== 'ok') return;
    expect(result.value.releases.map((r) => r.releaseId)).toEqual(['r3', 'r2', 'r1']);
    expect(result.value.live).toBe('r3');
    expect(result.value.stack).toBe('dashboard-hosting-prod');
  });

  it('accepts a pending release without finish time or duration', async () => {
    const result = await loadDeployments(
      answer(file([release({ status: 'pending', finishedAt: null, durationMs: null, filesChanged: null })])),
    );
    expect(result.state).toBe('ok');
  });

  it.each([
    ['a commit that is not a sha', [release({ commit: 'not-a-sha' })], 'releases.0.commit'],
    ['an unknown kind', [release({ kind: 'redeploy' })], 'releases.0.kind'],
    ['a missing requester', [release({ requestedBy: undefined })], 'releases.0.requestedBy'],
    ['a time that is not ISO 8601', [release({ startedAt: 'yesterday' })], 'releases.0.startedAt'],
  ])('names the offending field for %s', async (_what, releases, field) => {
    const result = await loadDeployments(answer(file(releases)));
    expect(result).toEqual({ state: 'error', message: expect.stringContaining(field) });
  });

  it('rejects a file of an unknown schema version, or the old shape without releases', async () => {
    const newer = await loadDeployments(answer(file([], { schema: 2 })));
    expect(newer.state === 'error' && newer.message).toMatch(/schema/);
    const old = await loadDeployments(answer(JSON.stringify({ schema: 1, deployments: [] })));
    expect(old.state).toBe('error');
  });

  it('is "absent" (no error) when the file is not published yet', async () => {
    await expect(loadDeployments(answer('', { status: 404 }))).resolves.toEqual({ state: 'absent' });
  });
});
