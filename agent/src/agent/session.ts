import { isAbsolute, relative } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { AuditLog, type AuditSink } from '../audit/log.js';
import { createRedactor, type Redactor, secretValuesFromEnv } from '../audit/redact.js';
import { AuditTrail } from '../audit/trail.js';
import { createS3Client, SANDBOX_CREDENTIALS } from '../aws/clients.js';
import type { Invalidator } from '../cdn/invalidator.js';
import { type LoadedConfig, loadConfig, resolveFromConfig, selectStack } from '../config/load.js';
import type { Config, StackConfig } from '../config/schema.js';
import type { ProgressEvent } from '../deploy/pipeline.js';
import type { Trigger } from '../deploy/schemas.js';
import { type EndpointContext, explainUnreachable, SERVICES, serviceName } from '../errors/endpoint.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { McpServerPool } from '../mcp/client.js';
import { sandboxState } from '../sandbox/record.js';
import { realEngine } from './engine.js';
import type { Approval, Engine, FlowContext } from './flow.js';
import { GithubTools } from './github.js';
import { PulumiTools } from './pulumi.js';
import { type ConnectionSource, ToolLayer } from './tool-layer.js';
import { WriteTracker } from './write-tracker.js';

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

/** What a `refresh()` found, for the one line that tells the person. */
export interface Reconnection {
  /** One line: what moved, and that the session follows it. */
  notice: string;
}

/** The parts of a session that come from the config file, replaced together by `refresh()`. */
interface Wiring {
  loaded: LoadedConfig;
  stack: StackConfig;
  redactor: Redactor;
  audit: AuditSink;
  connections: ConnectionSource & { closeAll(): Promise<void> };
  s3: S3Client;
}

/** Everything that comes from the config file: the stack, the redactor, the audit log, S3, MCP servers. */
function wire(loaded: LoadedConfig, options: SessionOptions): Wiring {
  const { config } = loaded;
  const stack = selectStack(config, options.stackName);
  // Secrets this process holds, and those it hands to servers: neither is ever written down. The
  // sandbox's throw-away credentials are published in the source and protect nothing; treating them as
  // secrets would blank the word "sandbox" out of every hint that says how to start it.
  const published = new Set<string>(Object.values(SANDBOX_CREDENTIALS));
  const redactor = createRedactor(
    [
      ...secretValuesFromEnv(options.env),
      ...Object.values(config.mcpServers).flatMap((entry) => secretValuesFromEnv(entry.env)),
    ].filter((value) => !published.has(value)),
  );
  const audit =
    options.auditSink ??
    new AuditLog({ path: resolveFromConfig(loaded, config.auditLogPath), redactor, now: options.now });
  const connections =
    options.connections ??
    new McpServerPool(config.mcpServers, {
      agentEnv: options.env,
      ...callTimeoutFrom(options.env),
      cwd: loaded.baseDir,
      clientInfo: { name: 'frontendops', version: options.clientVersion },
      redactor,
    });
  const s3 = options.s3 ?? createS3Client(stack.aws, config.network);
  return { loaded, stack, redactor, audit, connections, s3 };
}

/** "S3 A → B, the CloudFront API C → D": the endpoints that moved, else that the config changed. */
function describeMove(previous: Wiring, next: Wiring): string {
  const moves: Array<[string, string | undefined, string | undefined]> = [
    [SERVICES.s3, previous.stack.aws.s3Endpoint, next.stack.aws.s3Endpoint],
    [SERVICES.cloudfront, previous.stack.aws.cloudfrontEndpoint, next.stack.aws.cloudfrontEndpoint],
  ];
  const moved = moves
    .filter(([, before, after]) => before !== after)
    .map(
      ([service, before, after]) =>
        `${serviceName(service)} ${before ?? 'AWS default'} → ${after ?? 'AWS default'}`,
    );
  const what = moved.length > 0 ? moved.join(', ') : 'settings changed';
  return `${next.loaded.path} changed (${what}); reconnected from it.`;
}

/** A directory as a person would type it: relative to where they are when it is below, else absolute. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

export class Session {
  /** S3 commands and MCP tool calls that may have written, since the session opened (see `writes()`). */
  private readonly tracker = new WriteTracker();

  private constructor(
    private wiring: Wiring,
    readonly engine: Engine,
    private readonly options: SessionOptions,
  ) {}

  get loaded(): LoadedConfig {
    return this.wiring.loaded;
  }

  get stack(): StackConfig {
    return this.wiring.stack;
  }

  get redactor(): Redactor {
    return this.wiring.redactor;
  }

  get audit(): AuditSink {
    return this.wiring.audit;
  }

  get connections(): ConnectionSource & { closeAll(): Promise<void> } {
    return this.wiring.connections;
  }

  get s3(): S3Client {
    return this.wiring.s3;
  }

  /** Who is asking when nobody says: the requester from the environment. */
  requester(): string {
    return requesterFrom(this.options.env);
  }

  get config(): Config {
    return this.loaded.config;
  }

  static async open(options: SessionOptions): Promise<Session> {
    const loaded = await loadConfig(options.configPath, { cwd: options.cwd, env: options.env });
    const session = new Session(wire(loaded, options), options.engine ?? realEngine, options);
    session.tracker.watchS3(session.s3);
    return session;
  }

  /**
   * How many S3 commands other than reads, and MCP tool calls not marked read-only, this session has
   * sent. A request that failed with the count unchanged wrote nothing, so it is safe to run again.
   */
  writes(): number {
    return this.tracker.count();
  }

  /**
   * Re-reads the config file and, when it changed (a sandbox restarted on other ports rewrites it),
   * closes the S3 client and the MCP servers and wires new ones from it. Returns what moved, or
   * undefined when nothing did. Call it only between requests: a request in flight keeps the old
   * wiring it started with. A config that no longer loads throws and leaves the session as it was.
   */
  async refresh(): Promise<Reconnection | undefined> {
    const loaded = await loadConfig(this.loaded.path, { cwd: this.options.cwd, env: this.options.env });
    if (JSON.stringify(loaded.config) === JSON.stringify(this.loaded.config)) return undefined;
    const next = wire(loaded, this.options);
    const previous = this.wiring;
    this.wiring = next;
    this.tracker.watchS3(next.s3);
    await previous.connections.closeAll().catch(() => undefined);
    if (!this.options.s3) previous.s3.destroy();
    return { notice: describeMove(previous, next) };
  }

  /**
   * The error as the person should see it: an unreachable endpoint gets the configured URL and a hint
   * that says how to start it (the sandbox command for a sandbox's config, what to check on AWS).
   */
  async explain(error: unknown): Promise<FrontendOpsError> {
    const err = toFrontendOpsError(error);
    if (err.code !== 'ENDPOINT_UNREACHABLE') return err;
    return explainUnreachable(err, await this.endpointContext());
  }

  private async endpointContext(): Promise<EndpointContext> {
    const { aws } = this.stack;
    const dir = this.loaded.baseDir;
    const state = aws.sandboxCredentials ? await sandboxState(dir) : undefined;
    return {
      configPath: this.loaded.path,
      region: aws.region,
      endpoints: { [SERVICES.s3]: aws.s3Endpoint, [SERVICES.cloudfront]: aws.cloudfrontEndpoint },
      ...(state ? { sandbox: { dir: displayPath(dir, this.options.cwd), ...state } } : {}),
    };
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
    const tools = new ToolLayer({
      connections: this.tracker.watchTools(this.connections),
      servers: this.config.servers,
      trail,
    });
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
    const [{ createCloudFrontClient, isLoopbackUrl }, { createCloudFrontInvalidator, LOCAL_POLL_DELAY }] =
      await Promise.all([import('../aws/clients.js'), import('../cdn/cloudfront-invalidator.js')]);
    const { aws } = this.stack;
    const local = aws.cloudfrontEndpoint !== undefined && isLoopbackUrl(aws.cloudfrontEndpoint);
    const { network } = this.config;
    return createCloudFrontInvalidator({
      client: createCloudFrontClient(aws, network),
      distributionId,
      attemptTimeoutMs: network.requestTimeoutSeconds * 1000,
      deadlineMs: network.deadlineSeconds * 1000,
      ...(local ? { poll: LOCAL_POLL_DELAY } : {}),
    });
  }

  async close(): Promise<void> {
    await this.connections.closeAll();
    if (!this.options.s3) this.s3.destroy();
  }
}
