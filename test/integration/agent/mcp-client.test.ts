import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { connectMcpServer, type McpServerConnection, McpServerPool } from '../../../agent/src/mcp/client.js';

const support = join(import.meta.dirname, '..', '..', 'support', 'mcp');
const misbehaving = join(support, 'misbehaving-mcp.mjs');
const clientInfo = { name: 'frontendops-test', version: '0.0.0' };
const open: McpServerConnection[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function connect(mode: string, extra: { callTimeoutMs?: number; connectTimeoutMs?: number } = {}) {
  const conn = await connectMcpServer(
    `bad-${mode}`,
    { command: process.execPath, args: [misbehaving, mode], env: { FRONTENDOPS_MARK: 'given' } },
    { agentEnv: process.env, clientInfo, ...extra },
  );
  open.push(conn);
  return conn;
}

async function failure(promise: Promise<unknown>): Promise<FrontendOpsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FrontendOpsError);
    return error as FrontendOpsError;
  }
  throw new Error('expected a failure');
}

describe('MCP client against misbehaving servers', () => {
  it('names a server whose command does not exist', async () => {
    const error = await failure(
      connectMcpServer(
        'ghost',
        { command: '/nonexistent/bin/mcp', args: [], env: {} },
        { agentEnv: process.env, clientInfo },
      ),
    );
    expect(error.code).toBe('MCP_SERVER_ERROR');
    expect(error.message).toMatch(/MCP server ghost: cannot be started: command not found/);
  });

  it('names a server that exits before the handshake, with its stderr', async () => {
    const error = await failure(connect('exit-early'));
    expect(error.code).toBe('MCP_SERVER_ERROR');
    expect(error.message).toMatch(/bad-exit-early: exited before completing the MCP handshake/);
    expect(error.message).toMatch(/refusing to start/);
  });

  it('times out a server that never answers initialize', async () => {
    const error = await failure(connect('hang-init', { connectTimeoutMs: 1_000 }));
    expect(error.code).toBe('MCP_SERVER_ERROR');
    expect(error.message).toMatch(/bad-hang-init: did not answer initialize/);
  });

  it('reports a crash in the middle of a call', async () => {
    const conn = await connect('crash');
    const error = await failure(conn.call('list_commits', {}));
    expect(error.code).toBe('MCP_SERVER_ERROR');
    expect(error.message).toMatch(/bad-crash: exited while handling tools\/call list_commits/);
    // Later calls fail at once instead of waiting.
    expect((await failure(conn.call('list_commits', {}))).message).toMatch(/is not running/);
  });

  it('times out a call that hangs', async () => {
    const conn = await connect('hang-call', { callTimeoutMs: 800 });
    const error = await failure(conn.call('list_commits', {}));
    expect(error.message).toMatch(/bad-hang-call: did not answer tools\/call list_commits within 1 s/);
  });

  it('fails fast on garbage on stdout', async () => {
    // A call timeout far beyond the test's own: only the garbage line closing the connection can
    // end this call before the test times out.
    const conn = await connect('garbage', { callTimeoutMs: 3_600_000 });
    const error = await failure(conn.call('list_commits', {}));
    expect(error.message).toMatch(/bad-garbage: answered garbage/);
  });

  it('rejects a result that breaks the MCP schema', async () => {
    const conn = await connect('bad-result');
    const error = await failure(conn.call('list_commits', {}));
    expect(error.code).toBe('MCP_SERVER_ERROR');
    expect(error.message).toMatch(/bad-bad-result: answered garbage to tools\/call list_commits/);
  });

  it('gives a server only its own env plus PATH/HOME-like basics', async () => {
    process.env.FRONTENDOPS_TEST_LEAK = 'ghp_must_not_leak_0123456789abcdefghij';
    try {
      const conn = await connect('echo-env');
      const env = JSON.parse((await conn.call('env', {})).text) as Record<string, string>;
      expect(env.FRONTENDOPS_MARK).toBe('given');
      expect(env.FRONTENDOPS_TEST_LEAK).toBeUndefined();
      expect(env.PATH).toBe(process.env.PATH);
      const allowed = new Set([
        'FRONTENDOPS_MARK',
        'PATH',
        'HOME',
        'USER',
        'LOGNAME',
        'SHELL',
        'TERM',
        'TMPDIR',
        'LANG',
        'LC_ALL',
        'TZ',
      ]);
      expect(Object.keys(env).filter((k) => !allowed.has(k))).toEqual([]);
    } finally {
      delete process.env.FRONTENDOPS_TEST_LEAK;
    }
  });

  it('a pool reports an unconfigured server by name', async () => {
    const pool = new McpServerPool({}, { agentEnv: process.env, clientInfo });
    const error = await failure(pool.get('pulumi'));
    expect(error.message).toMatch(/MCP server pulumi is not configured/);
    await pool.closeAll();
  });
});
