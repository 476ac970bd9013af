import { describe, expect, it } from 'vitest';
import {
  changedFiles,
  type DemoResult,
  demoResultJson,
  formatSummary,
  INSTALLED_COMMANDS,
  uncommittedNote,
} from '../../../agent/src/demo/report.js';
import type { ReleaseRecord } from '../../../agent/src/deploy/schemas.js';
import { allStepsDone } from '../../support/deploy-fixtures.js';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);

function release(commit: string, files: Array<[string, string]>): ReleaseRecord {
  return {
    schema: 1,
    releaseId: `r-${commit.slice(0, 6)}`,
    stack: 'dashboard-hosting-prod',
    commit,
    tag: null,
    kind: 'deploy',
    trigger: 'cli',
    requestedBy: 'maria',
    subject: null,
    status: 'complete',
    steps: allStepsDone('2026-11-23T10:00:02.000Z'),
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:00:02.000Z',
    files: files.map(([path, sha]) => ({ path, sha256: sha.repeat(64).slice(0, 64) })),
    retained: [],
    invalidate: [],
    copied: files.length,
    unchanged: 0,
    deleted: 0,
  };
}

function result(overrides: Partial<DemoResult> = {}): DemoResult {
  return {
    status: 'deployed',
    repo: '/work/project',
    branch: 'main',
    commit: C2,
    subject: 'Header: new title',
    tag: 'dashboard-deploy-20261123-2',
    url: 'http://127.0.0.1:41001',
    served: C2,
    uncommitted: [],
    build: 'built',
    publish: { status: 'published', files: 8, uploaded: 8, bytes: 672_000 },
    previousCommit: C1,
    changedFiles: ['assets/index-AbCd1234.js', 'index.html', 'version.json'],
    deploy: { status: 'deployed', copied: 3 },
    sandboxDir: '/work/project/.sandbox/demo',
    configPath: '/work/project/.sandbox/demo/frontendops.config.json',
    scratchRepo: '/work/project/.sandbox/demo/repo',
    timings: { sandboxMs: 301.4, buildMs: 1402.6, publishMs: 88.2, deployMs: 1630.9, totalMs: 3499.5 },
    ...overrides,
  };
}

describe('changedFiles', () => {
  it('lists every file of the first release', () => {
    const after = release(C1, [
      ['index.html', 'a'],
      ['assets/vendor-x.js', 'b'],
    ]);
    expect(changedFiles(undefined, after)).toEqual(['assets/vendor-x.js', 'index.html']);
  });

  it('lists only paths whose content differs or that are new, not unchanged or removed ones', () => {
    const before = release(C1, [
      ['index.html', 'a'],
      ['version.json', 'b'],
      ['assets/index-old.js', 'c'],
      ['assets/vendor-x.js', 'd'],
    ]);
    const after = release(C2, [
      ['index.html', 'e'],
      ['version.json', 'f'],
      ['assets/index-new.js', 'g'],
      ['assets/vendor-x.js', 'd'],
    ]);
    expect(changedFiles(before, after)).toEqual(['assets/index-new.js', 'index.html', 'version.json']);
  });

  it('is empty when there is no release after the run', () => {
    expect(changedFiles(release(C1, [['index.html', 'a']]), undefined)).toEqual([]);
  });
});

describe('uncommittedNote', () => {
  it('says nothing for a clean dashboard folder', () => {
    expect(uncommittedNote([], C1)).toEqual([]);
  });

  it('names the uncommitted paths, says the committed state is deployed, and how to deploy the edits', () => {
    const paths = Array.from({ length: 7 }, (_, i) => `sophia-dashboard/src/f${i}.tsx`);
    const text = uncommittedNote(paths, C1).join('\n');
    expect(text).toContain('7 uncommitted change(s)');
    expect(text).toContain('sophia-dashboard/src/f0.tsx');
    expect(text).toContain('and 2 more');
    expect(text).not.toContain('f6.tsx');
    expect(text).toContain(`builds ${C1.slice(0, 7)} as committed`);
    expect(text).toContain('Commit your changes and run `npm run demo` again');
  });
});

describe('formatSummary', () => {
  it('gives the URL, the tag, the changed files and the timings of a re-deploy', () => {
    const text = formatSummary(result(), '.sandbox/demo/frontendops.config.json').join('\n');
    expect(text).toContain('Dashboard: http://127.0.0.1:41001/');
    expect(text).toContain('Tag:       dashboard-deploy-20261123-2 on 2222222');
    expect(text).toContain(
      '1111111 → 2222222: 3 file(s) differ — assets/index-AbCd1234.js, index.html, version.json',
    );
    expect(text).toContain('Took:      3.5 s (sandbox 0.3 s, build 1.4 s, publish 0.1 s, deploy 1.6 s)');
    // In a clone the command is the workspace's own bin: `--no` keeps npx from fetching a registry package.
    expect(text).toContain('npx --no -- frontendops --config .sandbox/demo/frontendops.config.json status');
    expect(text).toContain('run `npm run demo` again');
  });

  it('names the installed commands when the agent runs as the installed package', () => {
    const text = formatSummary(result(), '/w/.sandbox/demo/frontendops.config.json', INSTALLED_COMMANDS).join(
      '\n',
    );
    expect(text).toContain(
      'In another terminal: frontendops --config /w/.sandbox/demo/frontendops.config.json',
    );
    expect(text).toContain('run `frontendops demo` again');
    expect(text).not.toContain('npx');
    expect(uncommittedNote(['sophia-dashboard/src/App.tsx'], C1, INSTALLED_COMMANDS).join('\n')).toContain(
      'run `frontendops demo` again',
    );
  });

  it('has no "Changed" line on a first deploy or a no-op, and says when the build was already published', () => {
    const first = formatSummary(result({ previousCommit: null }), 'c.json').join('\n');
    expect(first).not.toContain('Changed:');
    const noop = formatSummary(
      result({ status: 'noop', build: 'already-published', publish: undefined }),
      'c.json',
    ).join('\n');
    expect(noop).not.toContain('Changed:');
    expect(noop).toContain('build already published');
  });
});

describe('demoResultJson', () => {
  it('carries the agent answer unchanged and whole milliseconds', () => {
    const json = demoResultJson(result({ branch: undefined }));
    expect(json).toMatchObject({
      status: 'deployed',
      branch: null,
      commit: C2,
      tag: 'dashboard-deploy-20261123-2',
      url: 'http://127.0.0.1:41001',
      changedFiles: ['assets/index-AbCd1234.js', 'index.html', 'version.json'],
      deploy: { status: 'deployed', copied: 3 },
      timings: { sandboxMs: 301, buildMs: 1403, publishMs: 88, deployMs: 1631, totalMs: 3500 },
    });
  });
});
