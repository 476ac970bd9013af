import { describe, expect, it } from 'vitest';
import { createGitBackend } from '../../../../agent/src/mcp/github/git/backend.js';
import { GitCommandError, type GitRunner } from '../../../../agent/src/mcp/github/git/run-git.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const TAG_OBJECT = 'c'.repeat(40);
const REQUEST = {
  owner: 'sophia-ai',
  repo: 'sophia',
  tag: 'dashboard-deploy-20260309-1',
  sha: A,
  message: 'm',
};

/**
 * git's ref lock: when two processes create one tag, the loser can fail on `<ref>.lock` before the
 * winner has renamed the lock into place. A scripted runner reproduces that window deterministically.
 */
function lockRace(winnerSha: string, visibleAfterChecks: number): { run: GitRunner; sleeps: number[] } {
  let tagChecks = 0;
  const sleeps: number[] = [];
  const run: GitRunner = async (args) => {
    const last = args.at(-1) ?? '';
    if (args[0] === 'rev-parse' && last === `${A}^{commit}`) return `${A}\n`;
    if (args[0] === 'rev-parse' && last === `refs/tags/${REQUEST.tag}`) {
      tagChecks += 1;
      // First check (before `git tag`) and the next few: not there yet.
      if (tagChecks <= visibleAfterChecks) throw new GitCommandError(args, 1, '');
      return `${TAG_OBJECT}\n`;
    }
    if (args[0] === 'rev-parse' && last === `refs/tags/${REQUEST.tag}^{commit}`) return `${winnerSha}\n`;
    if (args[0] === 'tag') {
      throw new GitCommandError(
        args,
        128,
        `fatal: cannot lock ref 'refs/tags/${REQUEST.tag}': Unable to create '/r/.git/refs/tags/${REQUEST.tag}.lock': File exists.\n`,
      );
    }
    throw new Error(`unexpected git ${args.join(' ')}`);
  };
  return { run, sleeps };
}

function backend(run: GitRunner, sleeps: number[]) {
  return createGitBackend({
    repoPath: '/r',
    run,
    tagger: { name: 'T', email: 't@example.test' },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

describe('git backend: losing the ref lock to a concurrent creator', () => {
  it('waits for the winner and returns created=false when it tagged the same commit', async () => {
    const { run, sleeps } = lockRace(A, 3);
    expect(await backend(run, sleeps).createTag(REQUEST)).toEqual({
      name: REQUEST.tag,
      sha: A,
      created: false,
    });
    expect(sleeps).toEqual([25, 50]);
  });

  it('waits for the winner and answers TAG_CONFLICT when it tagged another commit', async () => {
    const { run, sleeps } = lockRace(B, 2);
    await expect(backend(run, sleeps).createTag(REQUEST)).rejects.toMatchObject({ code: 'TAG_CONFLICT' });
  });

  it('gives up with GIT_ERROR if the ref never appears', async () => {
    const { run, sleeps } = lockRace(A, 1000);
    await expect(backend(run, sleeps).createTag(REQUEST)).rejects.toMatchObject({ code: 'GIT_ERROR' });
    expect(sleeps).toHaveLength(10);
  });
});
