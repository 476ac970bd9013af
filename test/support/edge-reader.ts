import { referencedAssets } from './builds.js';

/** A page, or an asset it references, that the edge did not serve. */
export interface Broken {
  page: string;
  asset: string;
  status: number;
}

/**
 * Reads `page` through the edge as a browser would, and every asset its HTML references; records what
 * did not answer 200 in `broken`. Returns how many assets the page referenced.
 */
export async function readPageOnce(edge: string, page: string, broken: Broken[]): Promise<number> {
  const response = await fetch(`${edge}${page}`);
  const html = await response.text();
  if (response.status !== 200) {
    broken.push({ page, asset: page, status: response.status });
    return 0;
  }
  const assets = referencedAssets(html);
  const statuses = await Promise.all(
    assets.map(async (asset) => {
      const r = await fetch(`${edge}/${asset}`);
      await r.arrayBuffer();
      return { asset, status: r.status };
    }),
  );
  for (const s of statuses) if (s.status !== 200) broken.push({ page, ...s });
  return assets.length;
}
