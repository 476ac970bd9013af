import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { createRedactor, type Redactor } from '../audit/redact.js';
import type { HttpMcpServerEntry, McpServerEntry } from '../config/schema.js';
import { ERROR_CODES, FrontendOpsError, type ErrorCode as FrontendOpsErrorCode } from '../errors.js';
import { entrySecretValues, resolveEntryEnv, serverEnvironment } from './client/env.js';
import { lazySchemaValidator } from './client/lazy-validator.js';
import { CallToolOutputSchema, type ToolOutput, textOf, toolErrorInfo } from './client/results.js';

/**
 * The agent's side of MCP: one SDK `Client` per `mcpServers` entry, over stdio (the agent starts the
 * server) or Streamable HTTP (a server someone runs, shared). Whatever goes wrong with a server —
 * missing binary, crash, hang, protocol garbage, refused token — surfaces as one MCP_SERVER_ERROR (or
 * ENDPOINT_UNREACHABLE for an HTTP server nobody answers for) that names the server and says which. A tool that answers `isError` surfaces with the
 * tool's own code when FrontendOps knows it (TAG_CONFLICT, COMMIT_NOT_FOUND…), else MCP_TOOL_ERROR.
 */

/** Default time a single tool call may take; long calls (waiting invalidations) pass their own. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Default time for a server to start and answer `initialize`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** How much of a server's stderr is kept to explain a crash. */
const STDERR_TAIL_BYTES = 4_096;

export interface McpToolInfo {
  name: string;
  description?: string;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean };
}

export interface McpCallOptions {
  timeoutMs?: number;
}

export interface McpServerConnection {
  readonly name: string;
  /** The SDK client, for adapters that need one (`@langchain/mcp-adapters`). */
  readonly client: Client;
  /** Milliseconds from spawn to a completed `initialize`. */
  readonly connectMs: number;
  /** False once the server exited, hung, answered garbage, or was closed. */
  readonly alive: boolean;
  listTools(): Promise<McpToolInfo[]>;
  call(tool: string, args: Record<string, unknown>, options?: McpCallOptions): Promise<ToolOutput>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** The agent's environment; only PATH/HOME-like basics are passed on (see client/env.ts). */
  agentEnv: Readonly<Record<string, string | undefined>>;
  /** Working directory for servers whose entry has no `cwd`. */
  cwd?: string;
  clientInfo: { name: string; version: string };
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  /** Redacts server stderr and error text before it reaches a message. */
  redactor?: Redactor;
  /** Replaces the stdio or HTTP transport (tests use the SDK's in-memory pair). */
  transport?: (name: string, entry: McpServerEntry) => Transport;
  now?: () => number;
}

function serverError(name: string, message: string, hint: string, data?: Record<string, unknown>) {
  return new FrontendOpsError('MCP_SERVER_ERROR', `MCP server ${name}: ${message}`, {
    hint,
    data: { server: name, ...data },
  });
}

interface ConnectionState {
  closing: boolean;
  closed: boolean;
  /** Why the connection is unusable, once it is. */
  failure: string | undefined;
  stderr: string;
  /** An HTTP server no longer knows our session (it expired there): a new one may be opened. */
  sessionExpired?: boolean;
}

/**
 * An HTTP entry and the module that speaks Streamable HTTP, loaded only for HTTP entries: the SDK's
 * HTTP client transport (with its OAuth and SSE code) is not needed to start a stdio server.
 */
interface HttpSide {
  entry: HttpMcpServerEntry;
  lib: typeof import('./client/http.js');
}

interface OpenedClient {
  client: Client;
  state: ConnectionState;
  connectMs: number;
  http: HttpSide | undefined;
}

class ServerConnection implements McpServerConnection {
  private toolsCache: Promise<McpToolInfo[]> | undefined;

  constructor(
    readonly name: string,
    private opened: OpenedClient,
    private readonly options: ConnectOptions,
    private readonly redactor: Redactor,
    /** For HTTP entries: the entry (for error messages) and how to open a fresh session. */
    private readonly http?: HttpSide,
    private readonly reopen?: () => Promise<OpenedClient>,
  ) {}

  get client(): Client {
    return this.opened.client;
  }

  get connectMs(): number {
    return this.opened.connectMs;
  }

  private get state(): ConnectionState {
    return this.opened.state;
  }

  get alive(): boolean {
    return !this.state.closed && this.state.failure === undefined;
  }

  listTools(): Promise<McpToolInfo[]> {
    this.toolsCache ??= this.request('tools/list', async (timeout) => {
      const tools: McpToolInfo[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.client.listTools(cursor === undefined ? {} : { cursor }, { timeout });
        for (const tool of page.tools) {
          tools.push({
            name: tool.name,
            ...(tool.description === undefined ? {} : { description: tool.description }),
            ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
          });
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return tools;
    });
    return this.toolsCache;
  }

  async call(tool: string, args: Record<string, unknown>, options: McpCallOptions = {}): Promise<ToolOutput> {
    // Listing first lets the SDK validate structuredContent against each tool's output schema.
    await this.listTools();
    const callOnce = () =>
      this.request(
        `tools/call ${tool}`,
        (timeout) => this.client.callTool({ name: tool, arguments: args }, undefined, { timeout }),
        options.timeoutMs,
      );
    let raw: Awaited<ReturnType<typeof callOnce>>;
    try {
      raw = await callOnce();
    } catch (error) {
      // The server answered 404 for our session: it expired there (idle) or the server restarted. The
      // call never ran, so it is safe to make once more on a new session.
      if (!this.state.sessionExpired || this.reopen === undefined) throw error;
      await this.client.close().catch(() => undefined);
      this.opened = await this.reopen();
      this.toolsCache = undefined;
      await this.listTools();
      raw = await callOnce();
    }
    const parsed = CallToolOutputSchema.safeParse(raw);
    if (!parsed.success) {
      throw serverError(this.name, `answered garbage to ${tool}`, 'The server broke the MCP result format.');
    }
    if (parsed.data.isError === true) throw this.toolError(tool, parsed.data);
    return { structured: parsed.data.structuredContent, text: textOf(parsed.data) };
  }

  private toolError(tool: string, result: Parameters<typeof toolErrorInfo>[0]): FrontendOpsError {
    const info = toolErrorInfo(result);
    const message = this.redactor.text(`${this.name} ${tool}: ${info.message}`);
    const hint = info.hint === undefined ? undefined : this.redactor.text(info.hint);
    const known = info.code in ERROR_CODES && info.code !== 'INTERNAL';
    const code: FrontendOpsErrorCode = known ? (info.code as FrontendOpsErrorCode) : 'MCP_TOOL_ERROR';
    return new FrontendOpsError(code, known ? message : `${message} (${info.code})`, {
      ...(hint === undefined ? {} : { hint }),
      // The tool's own details (an unreachable endpoint's service and URL) stay with the error, redacted.
      data: {
        ...(info.data === undefined ? {} : (this.redactor.value(info.data) as Record<string, unknown>)),
        server: this.name,
        tool,
        toolCode: info.code,
      },
    });
  }

  /** Runs one request, turning every transport-level failure into MCP_SERVER_ERROR. */
  private async request<T>(
    what: string,
    run: (timeout: number) => Promise<T>,
    timeoutMs?: number,
  ): Promise<T> {
    if (this.state.closed || this.state.failure !== undefined) {
      throw serverError(
        this.name,
        `is not running (${this.state.failure ?? 'closed'})`,
        'Restart the command; check the server with `frontendops doctor`.',
      );
    }
    const timeout = timeoutMs ?? this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    try {
      return await run(timeout);
    } catch (error) {
      throw classify(this.name, what, error, timeout, this.state, this.redactor, this.http);
    }
  }

  async close(): Promise<void> {
    if (this.state.closed) return;
    this.state.closing = true;
    // An HTTP server keeps a session until it idles out; ending it frees the server's slot now.
    const transport = this.client.transport as { terminateSession?: () => Promise<void> } | undefined;
    if (this.reopen !== undefined && this.state.failure === undefined) {
      await transport?.terminateSession?.().catch(() => undefined);
    }
    await this.client.close().catch(() => undefined);
    this.state.closed = true;
  }
}

function stderrTail(state: ConnectionState, redactor: Redactor): string {
  const tail = state.stderr.trim().split('\n').slice(-5).join(' | ');
  return tail === '' ? '' : `; its stderr ends with: ${redactor.text(tail).slice(-600)}`;
}

function classify(
  name: string,
  what: string,
  error: unknown,
  timeout: number,
  state: ConnectionState,
  redactor: Redactor,
  http?: HttpSide,
): FrontendOpsError {
  if (error instanceof FrontendOpsError) return error;
  if (http !== undefined) {
    if (http.lib.httpStatusOf(error) === 404 && what !== 'initialize') {
      state.failure = 'session expired';
      state.sessionExpired = true;
      return serverError(
        name,
        `no longer knows this session (${what})`,
        'The server restarted or the session idled out; try again.',
      );
    }
    const failure = http.lib.httpFailure(name, http.entry, error, what);
    if (failure !== undefined) {
      state.failure = failure.message;
      return failure;
    }
  }
  const tail = stderrTail(state, redactor);
  if (state.failure?.startsWith('answered garbage')) {
    return serverError(
      name,
      `${state.failure} during ${what}`,
      'Its stdout must carry only MCP JSON-RPC messages; logs belong on stderr.',
    );
  }
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      state.failure = `did not answer ${what} within ${Math.round(timeout / 1000)} s`;
      return serverError(
        name,
        `${state.failure}${tail}`,
        'The server hangs; check it with `frontendops doctor`.',
        {
          timeoutMs: timeout,
        },
      );
    }
    if (error.code === ErrorCode.ConnectionClosed) {
      state.failure = 'exited unexpectedly';
      return serverError(
        name,
        `exited while handling ${what}${tail}`,
        'The server crashed; run its command by hand to see why.',
      );
    }
    return serverError(
      name,
      `rejected ${what}: ${redactor.text(error.message)}`,
      'Check that the server offers this tool and that the config points at the right server.',
      { mcpCode: error.code },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return serverError(
    name,
    `answered garbage to ${what}: ${redactor.text(message).slice(0, 300)}`,
    'The server broke the MCP result format.',
  );
}

/** Starts one server, or reaches one over HTTP (or attaches the given transport), and completes the MCP handshake. */
async function openClient(
  name: string,
  entry: McpServerEntry,
  options: ConnectOptions,
  redactor: Redactor,
): Promise<OpenedClient> {
  const now = options.now ?? (() => performance.now());
  const state: ConnectionState = { closing: false, closed: false, failure: undefined, stderr: '' };
  // Only an HTTP entry waits for this import; a stdio server is spawned without yielding.
  const http: HttpSide | undefined =
    'url' in entry ? { entry, lib: await import('./client/http.js') } : undefined;
  let transport: Transport;
  if (options.transport) {
    transport = options.transport(name, entry);
  } else if ('command' in entry) {
    const stdio = new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      env: serverEnvironment(entry, options.agentEnv),
      ...((entry.cwd ?? options.cwd) ? { cwd: entry.cwd ?? options.cwd } : {}),
      stderr: 'pipe',
    });
    stdio.stderr?.on('data', (chunk: Buffer) => {
      state.stderr = (state.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    transport = stdio;
  } else {
    // An HTTP entry (its module is loaded above).
    const { createHttpTransport } = await import('./client/http.js');
    transport = createHttpTransport(entry, options.agentEnv);
  }
  const client = new Client(options.clientInfo, {
    capabilities: {},
    jsonSchemaValidator: lazySchemaValidator(),
  });
  client.onerror = (error) => {
    // A line on stdout that is not JSON-RPC: the server is not speaking MCP. Fail every pending
    // request now instead of letting each wait for its timeout.
    if (state.closing || state.failure !== undefined || http !== undefined) return;
    if (error instanceof SyntaxError || error.name === 'ZodError' || /JSON|parse/i.test(error.message)) {
      state.failure = `answered garbage (${redactor.text(error.message).slice(0, 200)})`;
      void transport.close().catch(() => undefined);
    }
  };
  client.onclose = () => {
    if (!state.closing) state.failure ??= 'exited unexpectedly';
    state.closed = true;
  };
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const started = now();
  try {
    await client.connect(transport, { timeout: connectTimeout });
  } catch (error) {
    state.closing = true;
    await client.close().catch(() => undefined);
    if ('command' in entry) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') {
        throw serverError(
          name,
          `cannot be started: ${code === 'ENOENT' ? 'command not found' : 'permission denied'}: ${entry.command}`,
          `Fix mcpServers.${name}.command in the config (it must be an executable on PATH or an absolute path).`,
          { command: entry.command },
        );
      }
    }
    const classified = classify(name, 'initialize', error, connectTimeout, state, redactor, http);
    if (state.failure === 'exited unexpectedly' && 'command' in entry) {
      throw serverError(
        name,
        `exited before completing the MCP handshake${stderrTail(state, redactor)}`,
        `Run \`${entry.command} ${entry.args.join(' ')}\` by hand to see why it stops.`,
        { command: entry.command },
      );
    }
    throw classified;
  }
  return { client, state, connectMs: now() - started, http };
}

export async function connectMcpServer(
  name: string,
  entry: McpServerEntry,
  options: ConnectOptions,
): Promise<McpServerConnection> {
  // Values resolved from `${env:NAME}` are secrets too: redact what the server really received.
  const redactor =
    options.redactor ??
    createRedactor(
      'command' in entry
        ? Object.values(resolveEntryEnv(entry.env, options.agentEnv))
        : entrySecretValues({ [name]: entry }, options.agentEnv),
    );
  const opened = await openClient(name, entry, options, redactor);
  if ('command' in entry || options.transport) return new ServerConnection(name, opened, options, redactor);
  return new ServerConnection(name, opened, options, redactor, opened.http, () =>
    openClient(name, entry, options, redactor),
  );
}

/**
 * The servers of one config, started on first use and closed together. Each request path (one
 * `ask`, one scheduled run, one `frontendops mcp` session) owns one pool.
 */
export class McpServerPool {
  private readonly connections = new Map<string, Promise<McpServerConnection>>();
  private readonly settled = new Map<string, McpServerConnection>();

  constructor(
    private readonly entries: Readonly<Record<string, McpServerEntry>>,
    private readonly options: ConnectOptions,
  ) {}

  names(): string[] {
    return Object.keys(this.entries);
  }

  /**
   * Starts these servers (default: every configured one) now, in parallel, without waiting. A server that fails to start is not
   * kept (as in `get`): the request that needs it starts it again and reports the failure.
   */
  prestart(names: readonly string[] = this.names()): void {
    for (const name of names) this.get(name).catch(() => undefined);
  }

  get(name: string): Promise<McpServerConnection> {
    const existing = this.connections.get(name);
    const known = this.settled.get(name);
    // A server that died since is started again for the next request (long-lived `frontendops mcp`).
    if (existing && !(known && !known.alive)) return existing;
    if (known) void known.close();
    this.settled.delete(name);
    const entry = this.entries[name];
    if (!entry) {
      return Promise.reject(
        new FrontendOpsError('MCP_SERVER_ERROR', `MCP server ${name} is not configured`, {
          hint: `Add mcpServers.${name} to the config (known: ${this.names().join(', ') || 'none'}).`,
          data: { server: name },
        }),
      );
    }
    const connecting = connectMcpServer(name, entry, this.options);
    // A failed start is not cached: the next request may try again.
    connecting.then(
      (connection) => this.settled.set(name, connection),
      () => this.connections.delete(name),
    );
    this.connections.set(name, connecting);
    return connecting;
  }

  async closeAll(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    this.settled.clear();
    await Promise.all(all.map((c) => c.then((conn) => conn.close()).catch(() => undefined)));
  }
}
