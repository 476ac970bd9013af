import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { createRedactor, type Redactor } from '../audit/redact.js';
import type { McpServerEntry } from '../config/schema.js';
import { ERROR_CODES, FrontendOpsError, type ErrorCode as FrontendOpsErrorCode } from '../errors.js';
import { resolveEntryEnv, serverEnvironment } from './client/env.js';
import { CallToolOutputSchema, type ToolOutput, textOf, toolErrorInfo } from './client/results.js';

/**
 * The agent's side of MCP: one SDK `Client` per `mcpServers` entry, over stdio. Whatever goes wrong
 * with a server — missing binary, crash, hang, protocol garbage — surfaces as one MCP_SERVER_ERROR that
 * names the server and says which of those it was. A tool that answers `isError` surfaces with the
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
  /** Replaces the stdio transport (tests use the SDK's in-memory pair). */
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
}

class StdioConnection implements McpServerConnection {
  private toolsCache: Promise<McpToolInfo[]> | undefined;

  constructor(
    readonly name: string,
    readonly client: Client,
    readonly connectMs: number,
    private readonly state: ConnectionState,
    private readonly options: ConnectOptions,
    private readonly redactor: Redactor,
  ) {}

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
    const raw = await this.request(
      `tools/call ${tool}`,
      (timeout) => this.client.callTool({ name: tool, arguments: args }, undefined, { timeout }),
      options.timeoutMs,
    );
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
      throw classify(this.name, what, error, timeout, this.state, this.redactor);
    }
  }

  async close(): Promise<void> {
    if (this.state.closed) return;
    this.state.closing = true;
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
): FrontendOpsError {
  if (error instanceof FrontendOpsError) return error;
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

/** Starts one server (or attaches the given transport) and completes the MCP handshake. */
export async function connectMcpServer(
  name: string,
  entry: McpServerEntry,
  options: ConnectOptions,
): Promise<McpServerConnection> {
  const env = serverEnvironment(entry, options.agentEnv);
  // Values resolved from `${env:NAME}` are secrets too: redact what the server really received.
  const redactor =
    options.redactor ?? createRedactor(Object.values(resolveEntryEnv(entry.env, options.agentEnv)));
  const now = options.now ?? (() => performance.now());
  const state: ConnectionState = { closing: false, closed: false, failure: undefined, stderr: '' };
  let transport: Transport;
  if (options.transport) {
    transport = options.transport(name, entry);
  } else {
    const stdio = new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      env,
      ...((entry.cwd ?? options.cwd) ? { cwd: entry.cwd ?? options.cwd } : {}),
      stderr: 'pipe',
    });
    stdio.stderr?.on('data', (chunk: Buffer) => {
      state.stderr = (state.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    transport = stdio;
  }
  const client = new Client(options.clientInfo, { capabilities: {} });
  client.onerror = (error) => {
    // A line on stdout that is not JSON-RPC: the server is not speaking MCP. Fail every pending
    // request now instead of letting each wait for its timeout.
    if (state.closing || state.failure !== undefined) return;
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      throw serverError(
        name,
        `cannot be started: ${code === 'ENOENT' ? 'command not found' : 'permission denied'}: ${entry.command}`,
        `Fix mcpServers.${name}.command in the config (it must be an executable on PATH or an absolute path).`,
        { command: entry.command },
      );
    }
    const classified = classify(name, 'initialize', error, connectTimeout, state, redactor);
    if (state.failure === 'exited unexpectedly') {
      throw serverError(
        name,
        `exited before completing the MCP handshake${stderrTail(state, redactor)}`,
        `Run \`${entry.command} ${entry.args.join(' ')}\` by hand to see why it stops.`,
        { command: entry.command },
      );
    }
    throw classified;
  }
  return new StdioConnection(name, client, now() - started, state, options, redactor);
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
