import type { CheckHealth, HealthResult } from '../../agent/src/deploy/pipeline.js';
import { referencedAssets } from './builds.js';

/**
 * A site check with the engine's `CheckHealth` contract, for engine tests on the sandbox: the page
 * through the edge, then every same-origin asset it references — status 200 and the media type the
 * build declares. (The product's check lives in the agent; this one needs nothing but fetch.)
 */
export function edgeHealthCheck(fetchImpl: typeof fetch = fetch): CheckHealth {
  const mediaType = (value: string | null | undefined) => (value ?? '').split(';')[0]?.trim().toLowerCase();
  return async ({ url, files }): Promise<HealthResult> => {
    const declared = new Map(files.map((f) => [f.path, f.contentType]));
    const failures: HealthResult['failures'] = [];
    const page = await fetchImpl(`${url.replace(/\/+$/, '')}/`);
    const html = await page.text();
    if (page.status !== 200)
      return {
        ok: false,
        checked: 1,
        failures: [{ path: 'index.html', reason: 'page not served', status: page.status }],
      };
    const assets = referencedAssets(html);
    for (const asset of assets) {
      const response = await fetchImpl(`${url.replace(/\/+$/, '')}/${asset}`);
      await response.arrayBuffer();
      const expected = declared.get(asset);
      const served = response.headers.get('content-type') ?? undefined;
      if (response.status !== 200) {
        failures.push({ path: asset, reason: 'not served', status: response.status });
      } else if (expected !== undefined && mediaType(served) !== mediaType(expected)) {
        failures.push({
          path: asset,
          reason: 'wrong Content-Type',
          status: 200,
          ...(served ? { contentType: served } : {}),
          expected,
        });
      }
    }
    return { ok: failures.length === 0, checked: assets.length + 1, failures };
  };
}
