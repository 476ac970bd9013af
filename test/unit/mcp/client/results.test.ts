import { describe, expect, it } from 'vitest';
import { resolveEntryEnv, serverEnvironment } from '../../../../agent/src/mcp/client/env.js';
import { jsonObjectIn, textOf, toolErrorInfo } from '../../../../agent/src/mcp/client/results.js';

describe('toolErrorInfo', () => {
  it('reads the FrontendOps error text: CODE line plus JSON', () => {
    const text = `TAG_CONFLICT: tag x points at abc\n${JSON.stringify({ code: 'TAG_CONFLICT', message: 'tag x points at abc', hint: 'pick another' })}`;
    expect(toolErrorInfo({ content: [{ type: 'text', text }] })).toEqual({
      code: 'TAG_CONFLICT',
      message: 'tag x points at abc',
      hint: 'pick another',
    });
  });

  it('reads a bare CODE: message line', () => {
    expect(
      toolErrorInfo({ content: [{ type: 'text', text: 'COMMIT_NOT_FOUND: no commit deadbeef' }] }),
    ).toEqual({
      code: 'COMMIT_NOT_FOUND',
      message: 'no commit deadbeef',
    });
  });

  it('falls back to TOOL_ERROR with the text', () => {
    expect(toolErrorInfo({ content: [{ type: 'text', text: 'something broke' }] })).toEqual({
      code: 'TOOL_ERROR',
      message: 'something broke',
    });
  });
});

describe('textOf / jsonObjectIn', () => {
  it('joins text blocks and skips others', () => {
    expect(
      textOf({ content: [{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }] }),
    ).toBe('a\nb');
  });

  it('finds a JSON object after a prefix', () => {
    expect(jsonObjectIn('X: y\n{"a":1}')).toEqual({ a: 1 });
    expect(jsonObjectIn('[1,2]')).toBeUndefined();
  });
});

describe('serverEnvironment', () => {
  it('passes only PATH/HOME-like basics plus the entry env', () => {
    const env = serverEnvironment(
      { env: { FRONTENDOPS_GIT_REPO: '/repo', PATH: '/custom/bin' } },
      {
        PATH: '/usr/bin',
        HOME: '/home/me',
        GITHUB_TOKEN: 'ghp_leak',
        AWS_SECRET_ACCESS_KEY: 'leak',
        BASH_FUNC: '() { :; }',
      },
    );
    expect(env).toEqual({ PATH: '/custom/bin', HOME: '/home/me', FRONTENDOPS_GIT_REPO: '/repo' });
  });

  it('drops exported shell functions', () => {
    expect(serverEnvironment({ env: {} }, { SHELL: '() { evil; }', USER: 'me' })).toEqual({ USER: 'me' });
  });
});

/** A `${env:NAME}` reference as a config file spells it (built, so it never reads as a broken template). */
const envRef = (name: string): string => `\${env:${name}}`;

describe('resolveEntryEnv', () => {
  it(`takes ${envRef('NAME')} values from the agent environment, leaving literal values alone`, () => {
    const env = resolveEntryEnv(
      { GITHUB_TOKEN: envRef('GITHUB_TOKEN'), REGION: 'eu-west-1', URL: `https://${envRef('HOST')}/api` },
      { GITHUB_TOKEN: 'tok-123', HOST: 'ghe.example.com' },
    );
    expect(env).toEqual({ GITHUB_TOKEN: 'tok-123', REGION: 'eu-west-1', URL: 'https://ghe.example.com/api' });
  });

  it('refuses a reference to an unset variable instead of passing an empty value', () => {
    expect(() => resolveEntryEnv({ GITHUB_TOKEN: envRef('GITHUB_TOKEN') }, {})).toThrowError(
      /GITHUB_TOKEN.*not set/,
    );
  });

  it('lets a server see only the variables its entry names', () => {
    const env = serverEnvironment({ env: { TOKEN: envRef('A') } }, { A: 'a', B: 'b', PATH: '/bin' });
    expect(env).toEqual({ PATH: '/bin', TOKEN: 'a' });
  });
});
