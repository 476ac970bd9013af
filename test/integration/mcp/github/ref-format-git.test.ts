import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkRefFormat } from '../../../../agent/src/mcp/github/ref-format.js';

/** `git check-ref-format [--allow-onelevel] <name>`: true when git accepts the name. */
function gitAccepts(name: string, allowOneLevel: boolean): Promise<boolean> {
  const args = ['check-ref-format', ...(allowOneLevel ? ['--allow-onelevel'] : []), name];
  return new Promise((resolve) => {
    execFile('git', args, (error) => resolve(error === null));
  });
}

// NUL cannot travel in an argv, so it is covered by the unit tests only.
const CORPUS = [
  'refs/tags/dashboard-deploy-20260101-1',
  'refs/heads/main',
  'refs/tags/v1.2.3',
  'refs/tags/release/2026.01',
  'refs/tags/ünïcode',
  'refs/tags/a@b',
  'refs/tags/-dash',
  'refs/tags/has space',
  'refs/tags/../x',
  'refs/tags/a..b',
  'refs/tags/a@{1}',
  'refs/tags/@',
  'refs/tags/x.lock',
  'refs/tags/x.lock/y',
  'refs/tags/x.locked',
  'refs/tags/.hidden',
  'refs/tags/a/.b',
  'refs/tags/trailing.',
  'refs/tags/trailing/',
  '/refs/tags/x',
  'refs//tags/x',
  'refs/tags/ctl\u0001',
  'refs/tags/del\u007f',
  'refs/tags/tab\tx',
  'refs/tags/a~1',
  'refs/tags/a^',
  'refs/tags/a:b',
  'refs/tags/a?',
  'refs/tags/a*',
  'refs/tags/a[b',
  'refs/tags/a\\b',
  'refs/tags/a]b',
  'refs/tags/a{b}',
  'refs/tags/a;rm',
  'refs/tags/$(id)',
  '@',
  'main',
  'HEAD',
  'x.lock',
  '.x',
  'a..b',
];

describe('checkRefFormat agrees with git check-ref-format', () => {
  it.each([false, true])('on the corpus (allowOneLevel=%s)', async (allowOneLevel) => {
    const disagreements: string[] = [];
    for (const name of CORPUS) {
      const ours = checkRefFormat(name, { allowOneLevel }).ok;
      const git = await gitAccepts(name, allowOneLevel);
      if (ours !== git) disagreements.push(`${JSON.stringify(name)}: ours=${ours} git=${git}`);
    }
    expect(disagreements).toEqual([]);
  });
});
