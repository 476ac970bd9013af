import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describe, expect, it } from 'vitest';
import { isFrontendOpsError } from '../../../../agent/src/errors.js';
import { McpServerPool } from '../../../../agent/src/mcp/client.js';

const ENTRIES = {
  pulumi: { command: 'frontendops-pulumi-mcp', args: [], env: {} },
  github: { command: 'frontendops-github-mcp', args: [], env: {} },
};

/** A pool whose servers are in-memory McpServers; `started` records each server start, in order. */
function poolOf(failing: ReadonlySet<string> = new Set()) {
  const started: string[] = [];
  const pool = new McpServerPool(ENTRIES, {
    agentEnv: {},
    clientInfo: { name: 'test', version: '0' },
    connectTimeoutMs: 2_000,
    transport: (name): Transport => {
      started.push(name);
      const [client, server] = InMemoryTransport.createLinkedPair();
      if (failing.has(name)) {
        // A server that exits at once: the handshake never completes.
        void client.close();
        return client;
      }
      const mcp = new McpServer({ name, version: '0' });
      mcp.registerTool('ping', { description: 'ping' }, async () => ({
        content: [{ type: 'text', text: 'pong' }],
      }));
      void mcp.connect(server);
      return client;
    },
  });
  return { pool, started };
}

describe('McpServerPool.prestart', () => {
  it('starts every named server at once, without waiting, and get() then reuses those starts', async () => {
    const { pool, started } = poolOf();
    pool.prestart(['pulumi', 'github']);
    // Both starts were issued before anything was awaited: they run in parallel.
    expect(started).toEqual(['pulumi', 'github']);
    const [pulumi, github] = await Promise.all([pool.get('pulumi'), pool.get('github')]);
    expect((await pulumi.listTools()).map((t) => t.name)).toEqual(['ping']);
    expect((await github.listTools()).map((t) => t.name)).toEqual(['ping']);
    expect(started).toEqual(['pulumi', 'github']);
    await pool.closeAll();
  });

  it('keeps a failed start to itself: the request that needs the server gets the failure, the next one retries', async () => {
    const { pool, started } = poolOf(new Set(['github']));
    pool.prestart();
    const first = await pool.get('github').catch((e: unknown) => e);
    expect(isFrontendOpsError(first, 'MCP_SERVER_ERROR')).toBe(true);
    expect(started.filter((name) => name === 'github')).toHaveLength(1);
    const again = await pool.get('github').catch((e: unknown) => e);
    expect(isFrontendOpsError(again, 'MCP_SERVER_ERROR')).toBe(true);
    expect(started.filter((name) => name === 'github')).toHaveLength(2);
    await pool.closeAll();
  });
});
