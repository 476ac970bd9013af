import type { S3Client } from '@aws-sdk/client-s3';
import { AuditLog, type AuditSink } from '../audit/log.js';
import { createRedactor, type Redactor, secretValuesFromEnv } from '../audit/redact.js';
import { AuditTrail } from '../audit/trail.js';
import type { Invalidator } from '../cdn/invalidator.js';
import { type LoadedConfig, loadConfig, resolveFromConfig, selectStack } from '../config/load.js';
import type { Config, StackConfig } from '../config/schema.js';
import type { ProgressEvent } from '../deploy/pipeline.js';
import type { Trigger } from '../deploy/schemas.js';
import { FrontendOpsError } from '../errors.js';
import { McpServerPool } from '../mcp/client.js';
import type { Approval, Engine, FlowContext } from './flow.js';
import { GithubTools } from './github.js';
import { PulumiTools } from './pulumi.js';
import { type ConnectionSource, ToolLayer } from './tool-layer.js';

/**
 * Everything one process needs to serve requests: the config, the MCP server pool, the S3 client, the
 * audit log and the redactor. Each request (`ask`, a chat line, a timer tick, an MCP job) gets its own
 * audit trail and tool layer from `startRequest`, sharing the pool.
 */

export interface SessionOptions {
  configPath?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  stackName?: string;
  clientVersion: string;
  /** Test seams: the engine, S3, the MCP connections, the audit sink. */
  engine?: Engine;
  s3?: S3Client;
  connections?: ConnectionSource & { closeAll(): Promise<void> };
  auditSink?: AuditSink;
  directInvalidator?: (distributionId: string) => Promise<Invalidator>;
  fetch?: typeof fetch;
  /**
   * Start the MCP servers of both roles now, in parallel, instead of each on its first call: for one-shot
   * commands (`status`, `history`, `deploy`…) that will call both, the servers boot while this process
   * still loads the AWS SDK and the deploy engine.
   */
  prestartServers?: boolean;
}

export interface RequestOptions {
  trigger: Trigger;
  /** The request as the person (or timer) phrased it; audited. */
  text: string;
  approval: Approval;
  requester?: string;
  onProgress?: (event: ProgressEvent) => void;
}

/** Who asked: an explicit override, the CI actor, or the login name. */
export function requesterFrom(env: Readonly<Record<string, string | undefined>>): string {
  return env.FRONTENDOPS_REQUESTER ?? env.GITHUB_ACTOR ?? env.USER ?? env.LOGNAME ?? 'unknown';
}

/** `FRONTENDOPS_MCP_CALL_TIMEOUT_MS`: how long one MCP tool call may take (default 30 s). */
function callTimeoutFrom(env: Readonly<Record<string, string | undefined>>): { callTimeoutMs?: number } {
  const raw = env.FRONTENDOPS_MCP_CALL_TIMEOUT_MS;
  if (raw === undefined || raw === '') return {};
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 3_600_000) {
    throw new FrontendOpsError(
      'CONFIG_INVALID',
      `FRONTENDOPS_MCP_CALL_TIMEOUT_MS=${raw} is not a whole number of ms from 100 to 3600000`,
    );
  }
  return { callTimeoutMs: ms };
}

export class Session {
  private constructor(
    readonly loaded: LoadedConfig,
    readonly stack: StackConfig,
    readonly redactor: Redactor,
    readonly audit: AuditSink,
    readonly connections: ConnectionSource & { closeAll(): Promise<void> },
    readonly s3: S3Client,
    readonly engine: Engine,
    private readonly options: SessionOptions,
  ) {}

  /** Who is asking when nobody says: the requester from the environment. */
  requester(): string {
    return requesterFrom(this.options.env);
  }

  get config(): Config {
    return this.loaded.config;
  }

  static async open(options: SessionOptions): Promise<Session> {
    const loaded = await loadConfig(options.configPath, { cwd: options.cwd, env: options.env });
    const { config } = loaded;
    const stack = selectStack(config, options.stackName);
    // Secrets this process holds, and those it hands to servers: neither is ever written down.
    const redactor = createRedactor([
      ...secretValuesFromEnv(options.env),
      ...Object.values(config.mcpServers).flatMap((entry) => secretValuesFromEnv(entry.env)),
    ]);
    const audit =
      options.auditSink ??
      new AuditLog({ path: resolveFromConfig(loaded, config.auditLogPath), redactor, now: options.now });
    let connections = options.connections;
    if (!connections) {
      const pool = new McpServerPool(config.mcpServers, {
        agentEnv: options.env,
        ...callTimeoutFrom(options.env),
        cwd: loaded.baseDir,
        clientInfo: { name: 'frontendops', version: options.clientVersion },
        redactor,
      });
      if (options.prestartServers === true) pool.prestart(Object.values(config.servers));
      connections = pool;
    }
    // Loaded here, after the servers were spawned: the AWS SDK and the engine are the bulk of this process's
    // start-up, and loading them overlaps with the servers' own.
    const [s3, engine] = await Promise.all([
      options.s3 ?? import('../aws/clients.js').then(({ createS3Client }) => createS3Client(stack.aws)),
      options.engine ?? import('./engine.js').then(({ realEngine }) => realEngine),
    ]).catch(async (error: unknown) => {
      await connections.closeAll();
      throw error;
    });
    return new Session(loaded, stack, redactor, audit, connections, s3, engine, options);
  }

  /** Starts one audited request and returns the flow context it runs with. */
  async startRequest(request: RequestOptions): Promise<FlowContext> {
    const trail = new AuditTrail(this.audit);
    const requester = request.requester ?? requesterFrom(this.options.env);
    await trail.write({
      kind: 'request',
      trigger: request.trigger,
      requester,
      text: request.text,
      stack: this.stack.name,
    });
    const tools = new ToolLayer({ connections: this.connections, servers: this.config.servers, trail });
    return {
      config: this.config,
      stack: this.stack,
      tools,
      github: new GithubTools(tools, this.config.github, this.redactor.text),
      pulumi: new PulumiTools(tools, {
        name: this.stack.name,
        workDir: resolveFromConfig(this.loaded, this.stack.workDir),
      }),
      s3: this.s3,
      engine: this.engine,
      now: this.options.now,
      requester,
      trigger: request.trigger,
      approval: request.approval,
      directInvalidator: (distributionId) => this.directInvalidator(distributionId),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    };
  }

  /** CloudFront on the stack's own AWS settings; loaded only when a deploy needs it. */
  private async directInvalidator(distributionId: string): Promise<Invalidator> {
    if (this.options.directInvalidator) return this.options.directInvalidator(distributionId);
    const [{ createCloudFrontClient }, { isLoopbackUrl }, { createCloudFrontInvalidator, LOCAL_POLL_DELAY }] =
      await Promise.all([
        import('../aws/cloudfront-client.js'),
        import('../aws/endpoints.js'),
        import('../cdn/cloudfront-invalidator.js'),
      ]);
    const { aws } = this.stack;
    const local = aws.cloudfrontEndpoint !== undefined && isLoopbackUrl(aws.cloudfrontEndpoint);
    return createCloudFrontInvalidator({
      client: createCloudFrontClient(aws),
      distributionId,
      ...(local ? { poll: LOCAL_POLL_DELAY } : {}),
    });
  }

  async close(): Promise<void> {
    await this.connections.closeAll();
    if (!this.options.s3) this.s3.destroy();
  }
}
