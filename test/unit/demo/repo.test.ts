import { describe, expect, it } from 'vitest';
import type { RunGit } from '../../../agent/src/demo/git.js';
import { inspectRepo } from '../../../agent/src/demo/repo.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';

const HEAD = 'a'.repeat(40);
const DASH = 'b'.repeat(40);

type Answers = Record<string, string | Error>;

/** A fake git answering by subcommand; records the calls. */
function fakeGit(answers: Answers): { run: RunGit; calls: string[][] } {
  const calls: string[][] = [];
  const run: RunGit = async (_cwd, args) => {
    calls.push([...args]);
    const key = args[0] === 'rev-parse' ? `rev-parse ${args[1]}` : (args[0] ?? '');
    const answer = answers[key];
    if (answer === undefined) throw new Error(`unexpected git ${args.join(' ')}`);
    if (answer instanceof Error) throw answer;
    return { stdout: answer };
  };
  return { run, calls };
}

const gitError = () => new FrontendOpsError('GIT_ERROR', 'git failed: fatal: not a git repository');

const healthy: Answers = {
  'rev-parse --show-toplevel': '/work/project\n',
  'rev-parse --verify': `${HEAD}\n`,
  'symbolic-ref': 'main\n',
  log: `${DASH}\0Dashboard: new chart\n`,
  status: ' M sophia-dashboard/src/App.tsx\0',
};

describe('inspectRepo', () => {
  it('finds the newest dashboard commit, the branch, and uncommitted dashboard paths', async () => {
    const { run, calls } = fakeGit(healthy);
    expect(await inspectRepo('/work/project/agent', run)).toEqual({
      root: '/work/project',
      head: HEAD,
      branch: 'main',
      commit: DASH,
      subject: 'Dashboard: new chart',
      uncommitted: ['sophia-dashboard/src/App.tsx'],
    });
    // The newest commit touching the dashboard, reachable from HEAD; untracked files count as changes.
    expect(calls).toContainEqual(['log', '-1', '--format=%H%x00%s', 'HEAD', '--', 'sophia-dashboard/']);
    expect(calls).toContainEqual([
      'status',
      '--porcelain=v1',
      '-z',
      '--untracked-files=all',
      '--',
      'sophia-dashboard/',
    ]);
  });

  it('reports a detached HEAD as no branch', async () => {
    const { run } = fakeGit({ ...healthy, 'symbolic-ref': gitError() });
    expect((await inspectRepo('/work/project', run)).branch).toBeUndefined();
  });

  it('refuses a directory outside any git repository with BAD_INPUT naming it', async () => {
    const { run } = fakeGit({ 'rev-parse --show-toplevel': gitError() });
    await expect(inspectRepo('/tmp/zip-download', run)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: '/tmp/zip-download is not inside a git repository',
    });
  });

  it('refuses a repository without commits', async () => {
    const { run } = fakeGit({ ...healthy, 'rev-parse --verify': gitError() });
    await expect(inspectRepo('/work/project', run)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: '/work/project has no commits yet',
    });
  });

  it('refuses a repository where no commit touches sophia-dashboard/', async () => {
    const { run } = fakeGit({ ...healthy, log: '' });
    await expect(inspectRepo('/work/project', run)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: 'no commit in /work/project touches sophia-dashboard/',
    });
  });
});
