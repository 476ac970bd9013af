import { describe, expect, it, vi } from 'vitest';
import type { Answer } from '../../../agent/src/agent/dispatch.js';
import { followConfig, type Reconnectable, withReconnect } from '../../../agent/src/agent/reconnect.js';
import type { Reconnection } from '../../../agent/src/agent/session.js';
import { FrontendOpsError, toFrontendOpsError } from '../../../agent/src/errors.js';

const MOVED: Reconnection = { notice: 'cfg.json changed (S3 http://a → http://b); reconnected from it.' };

/** A session whose config moves when the test says so, counting writes like the real one. */
function fakeSession(
  moves: Array<Reconnection | undefined | Error>,
): Reconnectable & { writesSoFar: number } {
  const session = {
    writesSoFar: 0,
    refresh: vi.fn(async () => {
      const next = moves.shift();
      if (next instanceof Error) throw next;
      return next;
    }),
    writes: () => session.writesSoFar,
    redactor: { text: (t: string) => t },
    explain: async (error: unknown) => toFrontendOpsError(error),
  };
  return session;
}

const ok: Answer = { ok: true, text: 'live: abc1234', json: { status: 'ok' } };
const unreachable: Answer = {
  ok: false,
  text: 'Failed [ENDPOINT_UNREACHABLE]: S3 at http://a refused the connection',
  json: { status: 'failed', code: 'ENDPOINT_UNREACHABLE' },
  error: new FrontendOpsError('ENDPOINT_UNREACHABLE', 'S3 at http://a refused the connection'),
};

describe('withReconnect', () => {
  it('follows a config that moved before the request, saying so in one line', async () => {
    const session = fakeSession([MOVED]);
    const notices: string[] = [];
    const run = vi.fn(async () => ok);
    expect(await withReconnect(session, run, (line) => notices.push(line))).toBe(ok);
    expect(notices).toEqual([MOVED.notice]);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('says nothing when the config did not move', async () => {
    const notices: string[] = [];
    await withReconnect(
      fakeSession([undefined]),
      async () => ok,
      (line) => notices.push(line),
    );
    expect(notices).toEqual([]);
  });

  it('runs a request again when its endpoint moved while it ran and it wrote nothing', async () => {
    const session = fakeSession([undefined, MOVED]);
    const notices: string[] = [];
    const run = vi.fn<() => Promise<Answer>>().mockResolvedValueOnce(unreachable).mockResolvedValueOnce(ok);
    expect(await withReconnect(session, run, (line) => notices.push(line))).toBe(ok);
    expect(run).toHaveBeenCalledTimes(2);
    expect(notices).toEqual([`${MOVED.notice} Trying the request again (it had changed nothing).`]);
  });

  it('never repeats a request that may have written before it failed', async () => {
    const session = fakeSession([undefined, MOVED]);
    const notices: string[] = [];
    const run = vi.fn(async () => {
      session.writesSoFar += 1; // e.g. the deploy lock was written, then the endpoint went away
      return unreachable;
    });
    expect(await withReconnect(session, run, (line) => notices.push(line))).toBe(unreachable);
    expect(run).toHaveBeenCalledTimes(1);
    expect(notices[0]).toMatch(/The failed request was not repeated: it may have changed something/);
    expect(notices[0]).toContain('frontendops status');
  });

  it('reports a dead endpoint as it is when the config did not move (nothing to follow)', async () => {
    const session = fakeSession([undefined, undefined]);
    const run = vi.fn(async () => unreachable);
    const notices: string[] = [];
    expect(await withReconnect(session, run, (line) => notices.push(line))).toBe(unreachable);
    expect(run).toHaveBeenCalledTimes(1);
    expect(notices).toEqual([]);
  });

  it('does not retry other failures', async () => {
    const refused: Answer = {
      ok: false,
      text: 'Refused',
      json: {},
      error: new FrontendOpsError('DEPLOY_IN_PROGRESS', 'locked'),
    };
    const session = fakeSession([undefined, MOVED]);
    const run = vi.fn(async () => refused);
    expect(await withReconnect(session, run, () => undefined)).toBe(refused);
    expect(run).toHaveBeenCalledTimes(1);
    expect(session.refresh).toHaveBeenCalledTimes(1);
  });

  it('answers with the config error, and runs nothing, when the config no longer loads', async () => {
    const broken = new FrontendOpsError('CONFIG_INVALID', 'cannot read config file /x/cfg.json', {
      hint: 'Pass --config PATH',
    });
    const run = vi.fn(async () => ok);
    const answer = await withReconnect(fakeSession([broken]), run, () => undefined);
    expect(run).not.toHaveBeenCalled();
    expect(answer.ok).toBe(false);
    expect(answer.error?.code).toBe('CONFIG_INVALID');
    expect(answer.text).toContain('cannot read config file /x/cfg.json');
  });
});

describe('followConfig', () => {
  it('returns nothing and notifies on a move', async () => {
    const notices: string[] = [];
    expect(await followConfig(fakeSession([MOVED]), (line) => notices.push(line))).toBeUndefined();
    expect(notices).toEqual([MOVED.notice]);
  });
});
