import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type HttpMcpServer, serveMcpOverHttp } from '../../../../agent/src/mcp/http/serve.js';
import type { HttpSettings } from '../../../../agent/src/mcp/http/settings.js';
import {
  httpClient,
  INITIALIZE,
  rawPost,
  rawSession,
  requestWithHost,
  testToken,
  toolCall,
  waitUntil,
} from '../../../support/mcp-http.js';

/**
 * The shared Streamable HTTP module in-process, on a real socket, with a one-tool server whose tool has
 * a visible side effect (a counter): every refusal is checked to have run nothing.
 */

const token = testToken();
let served: HttpMcpServer | undefined;
let touches = 0;
let clock = 0;
const log: string[] = [];

afterEach(async () => {
  await served?.close();
  served = undefined;
  touches = 0;
  log.length = 0;
});

function settings(overrides: Partial<HttpSettings> = {}): HttpSettings {
  return {
    host: '127.0.0.1',
    port: 0,
    token,
    maxBodyBytes: 64 * 1024,
    maxSessions: 8,
    idleTimeoutMs: 60_000,
    allowedHosts: [],
    allowedOrigins: ['https://console.example.com'],
    ...overrides,
  };
}

async function serve(overrides: Partial<HttpSettings> = {}): Promise<HttpMcpServer> {
  served = await serveMcpOverHttp({
    settings: settings(overrides),
    newServer: () => {
      const server = new McpServer({ name: 'touch', version: '1.0.0' });
      server.registerTool('touch', { inputSchema: { note: z.string().optional() } }, async () => {
        touches += 1;
        return { content: [{ type: 'text', text: `touched ${touches}` }] };
      });
      return { server };
    },
    log: (line) => log.push(line),
    now: () => clock,
  });
  return served;
}

const auth = { Authorization: `Bearer ${token}` };

describe('MCP over Streamable HTTP (shared module)', () => {
  it('serves several SDK clients at once on one server', async () => {
    const { url, port } = await serve();
    expect(url).toBe(`http://127.0.0.1:${port}/mcp`);
    expect(port).toBeGreaterThan(0);
    const a = await httpClient(url, token, 'a');
    const b = await httpClient(url, token, 'b');
    expect((await a.client.listTools()).tools.map((t) => t.name)).toEqual(['touch']);
    await Promise.all([
      a.client.callTool({ name: 'touch', arguments: {} }),
      b.client.callTool({ name: 'touch', arguments: {} }),
    ]);
    expect(touches).toBe(2);
    expect(served?.sessionCount()).toBe(2);
    await a.transport.terminateSession();
    await a.client.close();
    await waitUntil(() => served?.sessionCount() === 1, 'the DELETEd session to go');
    await b.client.close();
  });

  it('401 without a token, with a wrong one, and on a valid session with a wrong one; nothing runs', async () => {
    const { url } = await serve();
    await expect(httpClient(url, undefined)).rejects.toThrow(/401|Unauthorized/);
    await expect(httpClient(url, testToken())).rejects.toThrow(/401|Unauthorized/);
    const session = await rawSession(url, token);
    const stolen = await rawPost(url, toolCall('touch', {}), {
      Authorization: `Bearer ${testToken()}`,
      'Mcp-Session-Id': session,
    });
    expect(stolen.status).toBe(401);
    expect(stolen.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const none = await rawPost(url, toolCall('touch', {}), { 'Mcp-Session-Id': session });
    expect(none.status).toBe(401);
    expect(touches).toBe(0);
    // The same call with the token runs: the refusals above were the token's doing.
    const ok = await rawPost(url, toolCall('touch', {}), { ...auth, 'Mcp-Session-Id': session });
    expect(ok.status).toBe(200);
    expect(touches).toBe(1);
    expect(log.join('\n')).not.toContain(token);
  });

  it('403 for a foreign Origin or Host (DNS rebinding); allowed origins get CORS answers', async () => {
    const { url, port } = await serve();
    const session = await rawSession(url, token);
    const foreign = await rawPost(url, toolCall('touch', {}), {
      ...auth,
      'Mcp-Session-Id': session,
      Origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(await requestWithHost(url, `attacker.example:${port}`, token)).toBe(403);
    expect(touches).toBe(0);

    const listed = await rawPost(url, toolCall('touch', {}), {
      ...auth,
      'Mcp-Session-Id': session,
      Origin: 'https://console.example.com',
    });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    const own = await rawPost(url, toolCall('touch', {}, 3), {
      ...auth,
      'Mcp-Session-Id': session,
      Origin: `http://localhost:${port}`,
    });
    expect(own.status).toBe(200);
    expect(touches).toBe(2);
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: 'https://console.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(await requestWithHost(url, `localhost:${port}`, token)).toBe(200);
  });

  it('413 for a body over the limit, declared or streamed; nothing runs', async () => {
    const { url } = await serve({ maxBodyBytes: 4096 });
    const session = await rawSession(url, token);
    const big = toolCall('touch', { note: 'x'.repeat(8192) });
    const declared = await rawPost(url, big, { ...auth, 'Mcp-Session-Id': session });
    expect(declared.status).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(JSON.stringify(big));
        for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.slice(i, i + 1000));
        controller.close();
      },
    });
    const streamed = await fetch(url, {
      method: 'POST',
      headers: {
        ...auth,
        'Mcp-Session-Id': session,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(touches).toBe(0);
  });

  it('answers wrong paths, methods, garbage and unknown sessions without running anything', async () => {
    const { url } = await serve();
    expect((await fetch(url.replace('/mcp', '/other'), { method: 'POST', headers: auth })).status).toBe(404);
    expect((await fetch(url, { method: 'PUT', headers: auth })).status).toBe(405);
    expect((await rawPost(url, '{not json', auth)).status).toBe(400);
    expect((await rawPost(url, toolCall('touch', {}), auth)).status).toBe(400);
    expect((await rawPost(url, toolCall('touch', {}), { ...auth, 'Mcp-Session-Id': 'nope' })).status).toBe(
      404,
    );
    expect((await fetch(url, { headers: auth })).status).toBe(400);
    expect(touches).toBe(0);
  });

  it('caps concurrent sessions (503) and frees a slot when one ends', async () => {
    const { url } = await serve({ maxSessions: 2 });
    const first = await rawSession(url, token);
    await rawSession(url, token);
    const full = await rawPost(url, INITIALIZE, auth);
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('30');
    const ended = await fetch(url, { method: 'DELETE', headers: { ...auth, 'Mcp-Session-Id': first } });
    expect(ended.status).toBe(200);
    await waitUntil(async () => (await rawPost(url, INITIALIZE, auth)).status === 200, 'a free session slot');
  });

  it('closes sessions idle past the timeout; their ids are then unknown', async () => {
    clock = 0;
    const { url } = await serve({ idleTimeoutMs: 1000 });
    const idle = await rawSession(url, token);
    await rawSession(url, token);
    expect(served?.sessionCount()).toBe(2);
    clock = 1001;
    await waitUntil(() => served?.sessionCount() === 0, 'idle sessions to close');
    expect(log.some((line) => /closed after 1 s idle/.test(line))).toBe(true);
    const late = await rawPost(url, toolCall('touch', {}), { ...auth, 'Mcp-Session-Id': idle });
    expect(late.status).toBe(404);
    expect(touches).toBe(0);
  });
});
