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
  const file = (deployments: unknown[]) => JSON.stringify({ schema: 1, deployments });

  it('returns the releases newest first whatever the file order, ignoring extra fields', async () => {
    const fetchFn = answer(
      file([
        { commit: 'aaaaaaa', finishedAt: '2026-11-20T10:00:00Z', files: [{ path: 'index.html' }] },
        { commit: 'ccccccc', finishedAt: '2026-11-22T10:00:00Z', tag: 'dashboard-deploy-20261122-1' },
        { commit: 'bbbbbbb', finishedAt: '2026-11-21T10:00:00Z', copied: 2 },
      ]),
    );
    const result = await loadDeployments(fetchFn);
    expect(fetchFn.calls[0]?.[0]).toBe(DEPLOYMENTS_URL);
    expect(result.state === 'ok' && result.value.map((d) => d.commit)).toEqual([
      'ccccccc',
      'bbbbbbb',
      'aaaaaaa',
    ]);
  });

  it('names the offending entry when the file has the wrong shape', async () => {
    const result = await loadDeployments(
      answer(file([{ commit: 'not-a-sha', finishedAt: '2026-11-20T10:00:00Z' }])),
    );
    expect(result).toEqual({
      state: 'error',
      message: expect.stringContaining('deployments.0.commit'),
    });
  });

  it('rejects a file of an unknown schema version', async () => {
    const result = await loadDeployments(answer(JSON.stringify({ schema: 2, deployments: [] })));
    expect(result.state === 'error' && result.message).toMatch(/schema/);
  });

  it('passes "absent" through when the file is not published', async () => {
    await expect(loadDeployments(answer('', { status: 404 }))).resolves.toEqual({ state: 'absent' });
  });
});
