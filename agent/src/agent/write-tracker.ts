import type { S3Client } from '@aws-sdk/client-s3';
import type { ToolOutput } from '../mcp/client/results.js';
import type { McpCallOptions, McpServerConnection, McpToolInfo } from '../mcp/client.js';
import type { ConnectionSource } from './tool-layer.js';

/**
 * Counts what a session sent that may have changed something: S3 commands other than reads, and MCP
 * calls to tools their server does not mark read-only. Counted when sent, failed or not. A request that
 * failed with the count unchanged wrote nothing, which is what makes repeating it safe (reconnect.ts).
 */

/** S3 commands that only read; any other command a request sends may have changed a bucket. */
const S3_READS = new Set([
  'GetObjectCommand',
  'HeadObjectCommand',
  'HeadBucketCommand',
  'ListObjectsV2Command',
  'ListObjectsCommand',
  'ListObjectVersionsCommand',
  'GetObjectAttributesCommand',
  'GetBucketLocationCommand',
]);
const MIDDLEWARE_NAME = 'frontendopsSessionWriteCounter';

export class WriteTracker {
  private writes = 0;

  count(): number {
    return this.writes;
  }

  /** Counts the S3 client's write commands (idempotent: a client is watched once). */
  watchS3(s3: S3Client): void {
    if (s3.middlewareStack.identify().some((name) => name.startsWith(MIDDLEWARE_NAME))) return;
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (!S3_READS.has(String(context.commandName))) this.writes += 1;
        return next(args);
      },
      { step: 'initialize', name: MIDDLEWARE_NAME },
    );
  }

  /** The same connections, counting calls to tools not marked read-only. */
  watchTools(source: ConnectionSource): ConnectionSource {
    return {
      get: async (name) =>
        new CountingConnection(await source.get(name), () => {
          this.writes += 1;
        }),
    };
  }
}

/** Calls to tools their server does not mark read-only count as possible writes (see `Session.writes`). */
class CountingConnection implements McpServerConnection {
  constructor(
    private readonly inner: McpServerConnection,
    private readonly onWrite: () => void,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get client(): McpServerConnection['client'] {
    return this.inner.client;
  }

  get connectMs(): number {
    return this.inner.connectMs;
  }

  get alive(): boolean {
    return this.inner.alive;
  }

  listTools(): Promise<McpToolInfo[]> {
    return this.inner.listTools();
  }

  async call(tool: string, args: Record<string, unknown>, options?: McpCallOptions): Promise<ToolOutput> {
    const info = (await this.inner.listTools().catch(() => [])).find((t) => t.name === tool);
    if (info?.annotations?.readOnlyHint !== true) this.onWrite();
    return this.inner.call(tool, args, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
