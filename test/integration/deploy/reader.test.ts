import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { type Broken, readPageOnce } from '../../support/edge-reader.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * The visitor's view (issue 3): while ten releases of different commits go out one after another, a
 * reader keeps loading pages from the edge and every asset each page references. No page may ever
 * reference an asset that is not there — neither because the page went live before its assets, nor
 * because an older page's assets were deleted while it was still being served.
 */
const { sandbox } = sandboxPerFile({ latencyMs: 2 });
let engine: EngineOnSandbox;

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
});
afterAll(async () => {
  await engine?.close();
});

describe('a reader polling the edge through 10 consecutive deploys', () => {
  it('never gets a page that references a missing asset', async () => {
    // a live release first, then ten more while the reader reads
    const commits: string[] = [];
    for (let version = 1; version <= 11; version += 1) {
      commits.push((await engine.publishVersion(version, { churn: 6 })).commit);
    }
    expect((await engine.deploy(commits.shift()!)).status).toBe('deployed');

    const edge = sandbox().info.edgeUrl;
    const broken: Broken[] = [];
    let pagesRead = 0;
    let assetsChecked = 0;
    let deploying = true;
    const reader = (async () => {
      while (deploying) {
        for (const page of ['/', '/index.html', '/docs/page-0.html']) {
          assetsChecked += await readPageOnce(edge, page, broken);
          pagesRead += 1;
        }
      }
    })();

    const deleted: number[] = [];
    try {
      for (const commit of commits) {
        const report = await engine.deploy(commit);
        expect(report.status).toBe('deployed');
        deleted.push(report.deleted);
      }
    } finally {
      deploying = false;
      await reader;
    }

    expect(broken).toEqual([]);
    expect(pagesRead).toBeGreaterThan(30);
    expect(assetsChecked).toBeGreaterThan(100);
    // old chunks were really pruned along the way (keepReleases 3), so the test saw deletions happen
    expect(deleted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
