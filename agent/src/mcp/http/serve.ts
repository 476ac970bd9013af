import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { FrontendOpsError } from '../../errors.js';
import { urlHost } from './address.js';
import {
  allowedHostnames,
  bearerMatches,
  hostAllowed,
  originAllowed,
  ownOrigins,
  tokenDigest,
} from './guards.js';
import { SessionTable } from './sessions.js';
import type { HttpSettings } from './settings.js';

/**
 * MCP over Streamable HTTP for all three FrontendOps servers: the SDK's StreamableHTTPServerTransport,
 * one per session, behind the checks the SDK leaves to the application. In order: Host (403: DNS
 * rebinding), Origin (403: a web page), path (404), bearer token (401), method (405), body size (413),
 * JSON (400), session (400 without one, 404 unknown, 503 when full). Nothing reaches an MCP server, and
 * so nothing runs, before every check passed.
 *
 * Each session gets its own McpServer from `newServer` (an McpServer serves one transport); whatever the
 * sessions must share — a backend, the deploy jobs — the caller shares through that factory.
 */

export const MCP_PATH = '/mcp';

export interface SessionServer {
  server: McpServer;
  /** Default: `server.close()`. */
  close?: () => Promise<void>;
}

export interface HttpMcpOptions {
  settings: HttpSettings;
  newServer: () => SessionServer;
  /** One line per event on stderr; never a token, never a header value. */
  log: (line: string) => void;
  /** Monotonic milliseconds, for idle timeouts. */
  now?: () => number;
  /** This machine's names and addresses (accepted as Host when listening on every interface). */
  machineNames?: readonly string[];
}

export interface HttpMcpServer {
  /** `http://host:port/mcp`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  sessionCount(): number;
  /** Stops accepting requests, closes every session and connection. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  close: () => Promise<void>;
}

const ALLOWED_METHODS = 'GET, POST, DELETE';
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID';

function machineNames(): string[] {
  const names = [hostname()];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) names.push(address.address.replace(/%.*$/, ''));
  }
  return names;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A JSON-RPC error body, as the SDK's own transport answers, so SDK clients read the message. */
function reject(
  res: ServerResponse,
  status: number,
  message: string,
  extraHeaders: Record<string, string> = {},
  code = -32000,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json', ...extraHeaders });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

type Body = { kind: 'ok'; text: string } | { kind: 'too-large' };

/** Reads at most `max` bytes; a declared or streamed body over it stops the read at once. */
function readBody(req: IncomingMessage, max: number): Promise<Body> {
  const declared = Number(header(req, 'content-length'));
  if (Number.isFinite(declared) && declared > max) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

/**
 * Past this many unread bytes a refused request's connection is cut: a client may finish sending a
 * body we refused (so it reads our answer, not a reset), but not stream without end.
 */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * Answers a refused request whose body may still be arriving: the answer goes out first, and the rest
 * of the body is read and dropped (never buffered) so the client sees the status rather than a broken
 * pipe in the middle of its upload; a body that goes on past MAX_DRAIN_BYTES gets its connection cut.
 */
function rejectUnread(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  message: string,
  extra: Record<string, string> = {},
) {
  reject(res, status, message, extra);
  if (req.readableEnded) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
}

export async function serveMcpOverHttp(options: HttpMcpOptions): Promise<HttpMcpServer> {
  const { settings, log } = options;
  const now = options.now ?? (() => performance.now());
  const digest = tokenDigest(settings.token);
  const hosts = allowedHostnames({
    host: settings.host,
    extra: settings.allowedHosts,
    machineNames: options.machineNames ?? machineNames(),
  });
  const sessions = new SessionTable<Session>(
    { maxSessions: settings.maxSessions, idleTimeoutMs: settings.idleTimeoutMs },
    now,
  );
  let origins = new Set<string>(settings.allowedOrigins.map((o) => o.toLowerCase()));
  let closing = false;

  const closeSession = async (session: Session) => {
    await session.close().catch((error: unknown) => log(`closing a session failed: ${String(error)}`));
  };

  const openSession = async (): Promise<Session> => {
    const { server, close } = options.newServer();
    let session: Session | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        if (session) sessions.add(id, session);
      },
      onsessionclosed: (id) => {
        // DELETE from the client: the transport closes itself; the server goes with it.
        const closed = sessions.remove(id);
        if (closed) void closeSession(closed);
      },
    });
    session = { transport, close: close ?? (() => server.close()) };
    await server.connect(transport);
    return session;
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse, sessionId: string | undefined) => {
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined && existing === undefined) {
      return rejectUnread(res, req, 404, 'Session not found');
    }
    const body = await readBody(req, settings.maxBodyBytes);
    if (body.kind === 'too-large') {
      return rejectUnread(
        res,
        req,
        413,
        `Payload Too Large: request body must not exceed ${settings.maxBodyBytes} bytes`,
      );
    }
    let message: unknown;
    try {
      message = JSON.parse(body.text);
    } catch {
      return reject(res, 400, 'Parse error: Invalid JSON', {}, -32700);
    }
    if (existing !== undefined && sessionId !== undefined) {
      const end = sessions.begin(sessionId);
      res.once('close', end);
      return existing.transport.handleRequest(req, res, message);
    }
    const initialize = Array.isArray(message)
      ? message.some(isInitializeRequest)
      : isInitializeRequest(message);
    if (!initialize) {
      return reject(res, 400, 'Bad Request: No valid session ID provided (send initialize first)');
    }
    if (!sessions.reserve()) {
      log(`refused a new session: ${settings.maxSessions} sessions are open`);
      return reject(
        res,
        503,
        `Service Unavailable: ${settings.maxSessions} sessions are open; try again later`,
        {
          'Retry-After': '30',
        },
      );
    }
    let session: Session;
    try {
      session = await openSession();
    } catch (error) {
      sessions.release();
      throw error;
    }
    await session.transport.handleRequest(req, res, message);
    if (session.transport.sessionId === undefined || sessions.get(session.transport.sessionId) !== session) {
      // The initialize was refused (bad version, bad params): no session came of it.
      sessions.release();
      await closeSession(session);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refuse = (status: number, reason: string, extra: Record<string, string> = {}) => {
      log(`refused ${method} ${path}: ${status} ${reason}`);
      rejectUnread(res, req, status, reason, extra);
    };
    if (closing) return refuse(503, 'Service Unavailable: the server is stopping');
    if (!hostAllowed(header(req, 'host'), hosts)) return refuse(403, 'Forbidden: Host header not allowed');
    const origin = header(req, 'origin');
    if (!originAllowed(origin, origins)) return refuse(403, 'Forbidden: Origin not allowed');
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader(
        'Access-Control-Expose-Headers',
        'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate',
      );
    }
    if (path !== MCP_PATH) return refuse(404, `Not Found: the MCP endpoint is ${MCP_PATH}`);
    if (method === 'OPTIONS') {
      // A CORS preflight carries no credentials; it only learns what an allowed origin may send.
      res.writeHead(204, {
        Allow: `${ALLOWED_METHODS}, OPTIONS`,
        'Access-Control-Allow-Methods': ALLOWED_METHODS,
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (!bearerMatches(header(req, 'authorization'), digest)) {
      return refuse(401, 'Unauthorized: a valid bearer token is required', {
        'WWW-Authenticate': 'Bearer realm="frontendops-mcp"',
      });
    }
    const sessionId = header(req, 'mcp-session-id');
    if (method === 'POST') return handlePost(req, res, sessionId);
    if (method !== 'GET' && method !== 'DELETE') {
      return refuse(405, 'Method Not Allowed', { Allow: `${ALLOWED_METHODS}, OPTIONS` });
    }
    if (sessionId === undefined) return refuse(400, 'Bad Request: Mcp-Session-Id header is required');
    const session = sessions.get(sessionId);
    if (session === undefined) return refuse(404, 'Session not found');
    // A GET holds the session's event stream open for as long as the client listens: it refreshes the
    // session but does not keep it alive forever.
    sessions.begin(sessionId)();
    return session.transport.handleRequest(req, res);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      reject(res, 500, 'Internal Server Error', { Connection: 'close' }, -32603);
    });
  });
  // Slow clients may not hold a connection open indefinitely while sending headers or a body.
  http.headersTimeout = 30_000;
  http.requestTimeout = 120_000;

  await new Promise<void>((resolve, rejectListen) => {
    const onError = (error: NodeJS.ErrnoException) => {
      rejectListen(
        new FrontendOpsError(
          'CONFIG_INVALID',
          `cannot listen on ${urlHost(settings.host)}:${settings.port}: ${error.code ?? error.message}`,
          {
            hint:
              error.code === 'EADDRINUSE'
                ? 'Another process uses that port: pick another one, or --http HOST:0 for any free port.'
                : 'Check the host: it must be an address of this machine (or 0.0.0.0 for every interface).',
          },
        ),
      );
    };
    http.once('error', onError);
    http.listen(settings.port, settings.host, () => {
      http.off('error', onError);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  origins = new Set([...origins, ...ownOrigins(hosts, port)]);
  const url = `http://${urlHost(settings.host)}:${port}${MCP_PATH}`;

  const sweep = setInterval(
    () => {
      for (const { id, value, idleMs } of sessions.takeExpired()) {
        log(`session ${id.slice(0, 8)}… closed after ${Math.round(idleMs / 1000)} s idle`);
        void closeSession(value);
      }
    },
    Math.max(250, Math.min(60_000, Math.floor(settings.idleTimeoutMs / 4))),
  );
  sweep.unref();

  return {
    url,
    port,
    sessionCount: () => sessions.size,
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      await Promise.all(sessions.takeAll().map(closeSession));
      http.closeAllConnections();
      await closed;
    },
  };
}
