import { describe, expect, it } from 'vitest';
import { demoGitEnv, parsePorcelainZ } from '../../../agent/src/demo/git.js';

describe('parsePorcelainZ', () => {
  it('lists modified, staged, added, deleted and untracked paths', () => {
    const output = [
      ' M sophia-dashboard/src/App.tsx',
      'M  sophia-dashboard/src/format.ts',
      'A  sophia-dashboard/src/New.tsx',
      ' D sophia-dashboard/public/old.svg',
      '?? sophia-dashboard/src/scratch file.ts',
      '',
    ].join('\0');
    expect(parsePorcelainZ(output)).toEqual([
      'sophia-dashboard/src/App.tsx',
      'sophia-dashboard/src/format.ts',
      'sophia-dashboard/src/New.tsx',
      'sophia-dashboard/public/old.svg',
      'sophia-dashboard/src/scratch file.ts',
    ]);
  });

  it('takes the new path of a rename or copy and skips the original that follows it', () => {
    const output = ['R  sophia-dashboard/src/b.ts', 'sophia-dashboard/src/a.ts', ' M x.ts', ''].join('\0');
    expect(parsePorcelainZ(output)).toEqual(['sophia-dashboard/src/b.ts', 'x.ts']);
    const copy = ['C  sophia-dashboard/c.ts', 'sophia-dashboard/a.ts', ''].join('\0');
    expect(parsePorcelainZ(copy)).toEqual(['sophia-dashboard/c.ts']);
  });

  it('returns nothing for a clean tree', () => {
    expect(parsePorcelainZ('')).toEqual([]);
  });
});

describe('demoGitEnv', () => {
  it("drops inherited GIT_* variables, never prompts, and keeps the user's other settings", () => {
    const env = demoGitEnv({
      GIT_DIR: '/elsewhere/.git',
      GIT_INDEX_FILE: '/tmp/index',
      HOME: '/home/maria',
      PATH: '/usr/bin',
    });
    expect(env).toEqual({ HOME: '/home/maria', PATH: '/usr/bin', GIT_TERMINAL_PROMPT: '0' });
  });
});
