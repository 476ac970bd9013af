import type { AuditTrail } from '../audit/trail.js';
import { toFrontendOpsError } from '../errors.js';
import type { ToolOutput } from '../mcp/client/results.js';
import type { McpCallOptions, McpServerConnection, McpToolInfo } from '../mcp/client.js';

/**
 * The one door between the agent and the MCP servers. Every call goes through `ToolLayer.call`, which
 * resolves the role (`github`, `pulumi`) to the configured server and writes one audit entry per call
 * — server, tool, redacted arguments, duration, outcome — whether it succeeds or fails.
 */

export type ServerRole = 'github' | 'pulumi';

/** Where connections come from: a pool in production, fakes in unit tests. */
export interface ConnectionSource {
  get(name: string): Promise<McpServerConnection>;
}

export interface ToolLayerOptions {
  connections: ConnectionSource;
  /** `config.servers`: which `mcpServers` entry plays which role. */
  servers: Record<ServerRole, string>;
  trail: AuditTrail;
  /** Monotonic milliseconds, for durations. */
  clock?: () => number;
}

export class ToolLayer {
  private readonly clock: () => number;

  constructor(private readonly options: ToolLayerOptions) {
    this.clock = options.clock ?? (() => performance.now());
  }

  get trail(): AuditTrail {
    return this.options.trail;
  }

  serverName(role: ServerRole): string {
    return this.options.servers[role];
  }

  connection(role: ServerRole): Promise<McpServerConnection> {
    return this.options.connections.get(this.serverName(role));
  }

  async listTools(role: ServerRole): Promise<McpToolInfo[]> {
    return (await this.connection(role)).listTools();
  }

  async hasTool(role: ServerRole, tool: string): Promise<boolean> {
    return (await this.listTools(role)).some((t) => t.name === tool);
  }

  async call(
    role: ServerRole,
    tool: string,
    args: Record<string, unknown>,
    options?: McpCallOptions,
  ): Promise<ToolOutput> {
    const server = this.serverName(role);
    const started = this.clock();
    try {
      const connection = await this.options.connections.get(server);
      const output = await connection.call(tool, args, options);
      await this.options.trail.write({
        kind: 'tool_call',
        server,
        tool,
        args,
        durationMs: Math.round(this.clock() - started),
        outcome: 'ok',
      });
      return output;
    } catch (error) {
      const err = toFrontendOpsError(error);
      await this.options.trail.write({
        kind: 'tool_call',
        server,
        tool,
        args,
        durationMs: Math.round(this.clock() - started),
        outcome: 'error',
        error: { code: err.code, message: err.message },
      });
      throw err;
    }
  }

  /** Records a guarded engine step (copy, plan, prune…) as a tool call of the `engine` pseudo-server. */
  async step<T>(tool: string, args: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
    const started = this.clock();
    try {
      const result = await run();
      await this.options.trail.write({
        kind: 'tool_call',
        server: 'engine',
        tool,
        args,
        durationMs: Math.round(this.clock() - started),
        outcome: 'ok',
      });
      return result;
    } catch (error) {
      const err = toFrontendOpsError(error);
      await this.options.trail.write({
        kind: 'tool_call',
        server: 'engine',
        tool,
        args,
        durationMs: Math.round(this.clock() - started),
        outcome: err.code === 'REFUSED' ? 'refused' : 'error',
        error: { code: err.code, message: err.message },
      });
      throw err;
    }
  }
}
