import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

/** Helpers for MCP over Streamable HTTP: a token, SDK clients, raw JSON-RPC requests, server processes. */

/** A fresh bearer token, made at run time (never a literal that looks like a credential). */
export function testToken(): string {
  return randomBytes(32).toString('hex');
}

export async function httpClient(
  url: string,
  token: string | undefined,
  name = 'http-test-client',
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON-RPC message of the body (plain JSON or the first SSE `data:` line). */
  message: Record<string, unknown> | undefined;
}

function messageOf(text: string): Record<string, unknown> | undefined {
  const data = text
    .split('\n')
    .find((line) => line.startsWith('data: '))
    ?.slice('data: '.length);
  try {
    return JSON.parse(data ?? text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** One POST of a JSON-RPC body, as an MCP client sends it. */
export async function rawPost(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'Mcp-Protocol-Version': LATEST_PROTOCOL_VERSION,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, message: messageOf(text) };
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
};

/** Opens a session by hand; returns its id. */
export async function rawSession(url: string, token: string): Promise<string> {
  const init = await rawPost(url, INITIALIZE, { Authorization: `Bearer ${token}` });
  const id = init.headers.get('mcp-session-id');
  if (init.status !== 200 || id === null) throw new Error(`initialize failed: ${init.status} ${init.text}`);
  const ack = await rawPost(
    url,
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { Authorization: `Bearer ${token}`, 'Mcp-Session-Id': id },
  );
  if (ack.status !== 202) throw new Error(`initialized failed: ${ack.status}`);
  return id;
}

export function toolCall(name: string, args: Record<string, unknown>, id = 2) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/** A request with a Host header of our choosing (fetch does not let a caller set Host). */
export function requestWithHost(url: string, host: string, token: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          Host: host,
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(INITIALIZE));
  });
}

/** Waits for `condition`, polling, until `timeoutMs` (a deadline for a state, not a speed claim). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a server with `--http 127.0.0.1:0` (or `listen`) and waits for the URL it prints on stderr. */
export async function startHttpServer(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; listen?: string } = {},
): Promise<ServerProcess> {
  const child = spawn(command, [...args, '--http', options.listen ?? '127.0.0.1:0'], {
    env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  child.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  await waitUntil(
    () => /listening on http:\/\/\S+/.test(stderr) || exitCode !== undefined,
    `${command} ${args.join(' ')} to listen`,
    90_000,
  );
  const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
  if (url === undefined) throw new Error(`server exited (${exitCode}): ${stderr}${stdout}`);
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}
