import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { McpServerEntry } from '../../../../agent/src/config/schema.js';
import { isFrontendOpsError } from '../../../../agent/src/errors.js';
import { connectMcpServer } from '../../../../agent/src/mcp/client.js';
import { type HttpMcpServer, serveMcpOverHttp } from '../../../../agent/src/mcp/http/serve.js';
import { testToken, waitUntil } from '../../../support/mcp-http.js';

/** The agent's MCP client against an HTTP server: what an `mcpServers` entry with a `url` gets. */

const token = testToken();
let served: HttpMcpServer | undefined;
let clock = 0;
let echoes = 0;

afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function serve(): Promise<HttpMcpServer> {
  served = await serveMcpOverHttp({
    settings: {
      host: '127.0.0.1',
      port: 0,
      token,
      maxBodyBytes: 1024 * 1024,
      maxSessions: 4,
      idleTimeoutMs: 1000,
      allowedHosts: [],
      allowedOrigins: [],
    },
    newServer: () => {
      const server = new McpServer({ name: 'echo', version: '1.0.0' });
      server.registerTool(
        'echo',
        { inputSchema: { text: z.string() }, outputSchema: { text: z.string() } },
        async ({ text }) => {
          echoes += 1;
          return { structuredContent: { text }, content: [{ type: 'text', text }] };
        },
      );
      return { server };
    },
    log: () => {},
    now: () => clock,
  });
  return served;
}

const options = (env: Record<string, string>) => ({
  agentEnv: env,
  clientInfo: { name: 'frontendops', version: 'test' },
  connectTimeoutMs: 30_000,
});

function entry(url: string): McpServerEntry {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${env:NAME} syntax.
  return { url, headers: { Authorization: 'Bearer ${env:SHARED_TOKEN}' } };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isFrontendOpsError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('agent MCP client over HTTP', () => {
  it('calls tools with the header from the environment and ends its session on close', async () => {
    const { url } = await serve();
    const connection = await connectMcpServer('shared', entry(url), options({ SHARED_TOKEN: token }));
    expect((await connection.call('echo', { text: 'hi' })).structured).toEqual({ text: 'hi' });
    expect(served?.sessionCount()).toBe(1);
    await connection.close();
    await waitUntil(() => served?.sessionCount() === 0, 'the session to end');
  });

  it('opens a new session when the server dropped ours, and the call goes through once', async () => {
    const { url } = await serve();
    clock = 0;
    const connection = await connectMcpServer('shared', entry(url), options({ SHARED_TOKEN: token }));
    await connection.call('echo', { text: 'one' });
    clock += 5000;
    await waitUntil(() => served?.sessionCount() === 0, 'the idle session to be closed');
    const before = echoes;
    expect((await connection.call('echo', { text: 'two' })).structured).toEqual({ text: 'two' });
    expect(echoes).toBe(before + 1);
    await connection.close();
  });

  it('says a wrong token is a wrong token, and names an unreachable server', async () => {
    const { url, port } = await serve();
    const refused = await failure(
      connectMcpServer('shared', entry(url), options({ SHARED_TOKEN: testToken() })),
    );
    expect(refused.code).toBe('MCP_SERVER_ERROR');
    expect(refused.message).toMatch(
      /MCP server shared at http:\/\/127\.0\.0\.1:\d+\/mcp refused initialize \(HTTP 401/,
    );
    expect(refused.hint).toMatch(/mcpServers\.shared\.headers\.Authorization/);
    expect(JSON.stringify(refused)).not.toContain(token);
    await served?.close();
    served = undefined;
    const gone = await failure(
      connectMcpServer('shared', entry(`http://127.0.0.1:${port}/mcp`), options({ SHARED_TOKEN: token })),
    );
    expect(gone.code).toBe('ENDPOINT_UNREACHABLE');
    expect(gone.hint).toMatch(/--http/);
  });

  it('refuses to start without the header’s variable', async () => {
    const { url } = await serve();
    const missing = await failure(connectMcpServer('shared', entry(url), options({})));
    expect(missing.code).toBe('CONFIG_INVALID');
    expect(missing.message).toMatch(/SHARED_TOKEN/);
  });
});
