import { describe, expect, it } from 'vitest';
import { requesterFrom, safeRequester } from '../../../agent/src/agent/session.js';
import { createRedactor, REDACTED } from '../../../agent/src/audit/redact.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';

const token = `ghp_${'q'.repeat(36)}`;
const redact = createRedactor().text;

describe('requesterFrom', () => {
  it('is never "unknown" when the OS knows the login name', () => {
    expect(requesterFrom({}, () => 'alice')).toBe('alice');
  });

  it('prefers FRONTENDOPS_REQUESTER, then the CI actor, then USER/LOGNAME, then the OS', () => {
    const os = () => 'os-user';
    expect(requesterFrom({ FRONTENDOPS_REQUESTER: 'Ana Lima', GITHUB_ACTOR: 'ci', USER: 'u' }, os)).toBe(
      'Ana Lima',
    );
    expect(requesterFrom({ GITHUB_ACTOR: 'ci-bot', USER: 'u' }, os)).toBe('ci-bot');
    expect(requesterFrom({ LOGNAME: 'logname' }, os)).toBe('logname');
  });

  it('falls back to "unknown" only when the OS cannot name the user (os.userInfo throws)', () => {
    expect(
      requesterFrom({}, () => {
        throw new Error('ENOENT: no passwd entry');
      }),
    ).toBe('unknown');
  });

  it('skips a USER with control characters instead of recording it', () => {
    expect(requesterFrom({ USER: 'evil\u001b[2J' }, () => 'alice')).toBe('alice');
  });

  it.each([
    ['a control character', 'ana\u0007'],
    ['a terminal escape', 'ana\u001b[31m'],
    ['a bidi override', 'ana\u202e'],
    ['too many characters', 'x'.repeat(101)],
    ['only spaces', '   '],
  ])(
    'refuses a FRONTENDOPS_REQUESTER with %s as a configuration error naming the variable',
    (_label, value) => {
      try {
        requesterFrom({ FRONTENDOPS_REQUESTER: value }, () => 'alice');
        expect.unreachable('expected CONFIG_INVALID');
      } catch (error) {
        expect(error).toBeInstanceOf(FrontendOpsError);
        expect((error as FrontendOpsError).code).toBe('CONFIG_INVALID');
        expect((error as FrontendOpsError).message).toMatch(/^FRONTENDOPS_REQUESTER /);
      }
    },
  );
});

describe('safeRequester', () => {
  it('redacts a token-shaped requester, whole or glued to a word', () => {
    expect(safeRequester(token, redact)).toBe(REDACTED);
    expect(safeRequester(`t_${token}`, redact)).toBe(`t_${REDACTED}`);
    expect(safeRequester(`mcp:${token}`, redact)).toBe(`mcp:${REDACTED}`);
  });

  it('strips control characters and bounds the length of a self-declared MCP client name', () => {
    expect(safeRequester('mcp:cur\u001b[2Jsor\n', redact)).toBe('mcp:cur [2Jsor');
    expect(safeRequester(`mcp:${'c'.repeat(300)}`, redact)).toHaveLength(100);
    expect(safeRequester('\u0000', redact)).toBe('unknown');
  });
});
