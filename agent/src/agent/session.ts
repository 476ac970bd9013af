import { userInfo } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { AuditLog, type AuditSink } from '../audit/log.js';
import { createRedactor, type Redactor, secretValuesFromEnv } from '../audit/redact.js';
import { AuditTrail } from '../audit/trail.js';
import { SANDBOX_CREDENTIALS } from '../aws/endpoints.js';
import type { Invalidator } from '../cdn/invalidator.js';
import { type LoadedConfig, loadConfig, resolveFromConfig, selectStack } from '../config/load.js';
import type { Config, StackConfig } from '../config/schema.js';
import type { ProgressEvent } from '../deploy/pipeline.js';
import type { Trigger } from '../deploy/schemas.js';
import { type EndpointContext, explainUnreachable, SERVICES, serviceName } from '../errors/endpoint.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { entrySecretValues } from '../mcp/client/env.js';
import { McpServerPool } from '../mcp/client.js';
import { sandboxState } from '../sandbox/record.js';
import type { Approval, Engine, FlowContext, RequestJob } from './flow.js';
import { GithubTools } from './github.js';
import type { Mandate } from './intent.js';
import { PulumiTools } from './pulumi.js';
import { type ConnectionSource, ToolLayer } from './tool-layer.js';
import { WriteTracker } from './write-tracker.js';

/**
 * Everything one process needs to serve requests: the config, the MCP server pool, the S3 clients, the
 * audit log and the redactor. Each request (`ask`, a chat line, a timer tick, an MCP job) gets its own
 * audit trail and tool layer from `startRequest`, sharing the pool, and names its stack: one process
 * serves every stack of the config (`frontendops mcp`, `schedule`), the default being `--stack` or the
 * only one configured.
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
  /** The OS login name (default `os.userInfo().username`); a test seam. */
  loginName?: () => string;
  /**
   * Start the MCP servers of both roles at once, as soon as the config is read, instead of each on its
   * first call: for commands that will call both (`status`, `history`, `deploy`, `chat`…), the servers boot
   * while this process still loads the AWS SDK and the deploy engine.
   */
  prestartServers?: boolean;
}

export interface RequestOptions {
  trigger: Trigger;
  /** The request as the person (or timer) phrased it; audited. */
  text: string;
  approval: Approval;
  /** What the request allows to change (see `Mandate`); every entry point states it. */
  mandate: Mandate;
  requester?: string;
  onProgress?: (event: ProgressEvent) => void;
  /** The stack this request is about (default: the session's stack). */
  stack?: string;
  /** The deploy job this request runs as. */
  job?: RequestJob;
}

/** The longest requester name kept; release records allow 200 characters and tags carry it too. */
export const MAX_REQUESTER_LENGTH = 100;

/** A requester as people set it (FRONTENDOPS_REQUESTER): a short printable name, no control characters. */
export const RequesterSchema = z
  .string()
  .trim()
  .min(1, 'is empty')
  .max(MAX_REQUESTER_LENGTH, `is longer than ${MAX_REQUESTER_LENGTH} characters`)
  .refine((name) => !/\p{C}/u.test(name), 'contains control or invisible characters');

function validName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = RequesterSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function osLoginName(): string {
  return userInfo().username;
}

/**
 * Who asked: FRONTENDOPS_REQUESTER (validated: a bad value is a configuration error, not a silent
 * fallback), else the CI actor, else the login name from the environment or the OS. "unknown" only
 * when none of them gives a usable name.
 */
export function requesterFrom(
  env: Readonly<Record<string, string | undefined>>,
  loginName: () => string = osLoginName,
): string {
  const explicit = env.FRONTENDOPS_REQUESTER;
  if (explicit !== undefined && explicit !== '') {
    const parsed = RequesterSchema.safeParse(explicit);
    if (!parsed.success) {
      throw new FrontendOpsError(
        'CONFIG_INVALID',
        `FRONTENDOPS_REQUESTER ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        {
          hint: `Set FRONTENDOPS_REQUESTER to a name of 1 to ${MAX_REQUESTER_LENGTH} printable characters, or unset it to use your login name.`,
        },
      );
    }
    return parsed.data;
  }
  for (const candidate of [env.GITHUB_ACTOR, env.USER, env.LOGNAME]) {
    const name = validName(candidate);
    if (name !== undefined) return name;
  }
  try {
    // Throws when the uid has no passwd entry (some containers): then there is nobody to name.
    return validName(loginName()) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * A requester from anywhere (the environment, an MCP client's self-declared name) made safe to
 * record, tag and audit: control characters out, bounded, and redacted like everything else.
 */
export function safeRequester(raw: string, redact: (text: string) => string): string {
  const clean = redact(
    raw
      .replace(/\p{C}+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const bounded =
    clean.length > MAX_REQUESTER_LENGTH ? `${clean.slice(0, MAX_REQUESTER_LENGTH - 1)}…` : clean;
  return bounded === '' ? 'unknown' : bounded;
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
  redactor: Redactor;
  audit: AuditSink;
  connections: ConnectionSource & { closeAll(): Promise<void> };
  /** One S3 client per stack (stacks may differ in region or endpoint), made on first use. */
  s3Clients: Map<string, S3Client>;
  /** The AWS SDK's S3 client factory, loaded once the servers were spawned. */
  createS3Client: typeof import('../aws/clients.js').createS3Client;
}

/** The stack whose endpoints describe the session: the one named, else the first configured. */
function primaryStack(config: Config, name: string | undefined): StackConfig {
  return config.stacks.find((s) => s.name === name) ?? (config.stacks[0] as StackConfig);
}

/** Everything that comes from the config file: the stack, the redactor, the audit log, S3, MCP servers. */
async function wire(loaded: LoadedConfig, options: SessionOptions): Promise<Wiring> {
  const { config } = loaded;
  // A named stack must exist; several stacks without a name are fine until a request needs one.
  if (options.stackName !== undefined) selectStack(config, options.stackName);
  // Secrets this process holds, and those it hands to servers: neither is ever written down. The
  // sandbox's throw-away credentials are published in the source and protect nothing; treating them as
  // secrets would blank the word "sandbox" out of every hint that says how to start it.
  const published = new Set<string>(Object.values(SANDBOX_CREDENTIALS));
  const redactor = createRedactor(
    [...secretValuesFromEnv(options.env), ...entrySecretValues(config.mcpServers, options.env)].filter(
      (value) => !published.has(value),
    ),
  );
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
  const pool = connections;
  // Loaded after the servers were spawned: the AWS SDK is the bulk of this process's start-up, and loading
  // it overlaps with the servers' own. The clients themselves are made per stack on first use.
  const { createS3Client } = await import('../aws/clients.js').catch(async (error: unknown) => {
    await pool.closeAll();
    throw error;
  });
  return { loaded, redactor, audit, connections, s3Clients: new Map(), createS3Client };
}

/** "S3 A → B, the CloudFront API C → D": the endpoints that moved, else that the config changed. */
function describeMove(previous: Wiring, next: Wiring, stackName: string | undefined): string {
  const before = primaryStack(previous.loaded.config, stackName);
  const after = primaryStack(next.loaded.config, stackName);
  const moves: Array<[string, string | undefined, string | undefined]> = [
    [SERVICES.s3, before.aws.s3Endpoint, after.aws.s3Endpoint],
    [SERVICES.cloudfront, before.aws.cloudfrontEndpoint, after.aws.cloudfrontEndpoint],
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
    /** Validated when the session opened; redacted with the current redactor whenever it is used. */
    private readonly defaultRequester: string,
  ) {}

  get loaded(): LoadedConfig {
    return this.wiring.loaded;
  }

  /** The default stack: `--stack`, or the only one configured (BAD_INPUT when several and none named). */
  get stack(): StackConfig {
    return this.stackFor(undefined);
  }

  /** A configured stack by name, or the default one; STACK_NOT_CONFIGURED names the stacks that exist. */
  stackFor(name: string | undefined): StackConfig {
    return selectStack(this.config, name ?? this.options.stackName);
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

  /** The S3 client of the default stack. */
  get s3(): S3Client {
    return this.s3For(this.stack);
  }

  s3For(stack: StackConfig): S3Client {
    if (this.options.s3) return this.options.s3;
    let client = this.wiring.s3Clients.get(stack.name);
    if (client === undefined) {
      client = this.wiring.createS3Client(stack.aws, this.config.network);
      this.wiring.s3Clients.set(stack.name, client);
      this.tracker.watchS3(client);
    }
    return client;
  }

  /** Who is asking when nobody says: the requester from the environment or the OS, redacted. */
  requester(): string {
    return safeRequester(this.defaultRequester, this.redactor.text);
  }

  get config(): Config {
    return this.loaded.config;
  }

  static async open(options: SessionOptions): Promise<Session> {
    const loaded = await loadConfig(options.configPath, { cwd: options.cwd, env: options.env });
    // Validated before anything else starts: a bad FRONTENDOPS_REQUESTER is a configuration error.
    const requester = requesterFrom(options.env, options.loginName);
    // The engine (the deploy engine's readers; the pipeline itself loads on the first deploy) loads while
    // the wiring starts the servers.
    const [wiring, engine] = await Promise.all([
      wire(loaded, options),
      options.engine ?? import('./engine.js').then(({ realEngine }) => realEngine),
    ]);
    const session = new Session(wiring, engine, options, requester);
    // Clients the session makes itself are watched as they are made (one per stack).
    if (options.s3) session.tracker.watchS3(options.s3);
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
    const next = await wire(loaded, this.options);
    const previous = this.wiring;
    this.wiring = next;
    await previous.connections.closeAll().catch(() => undefined);
    for (const client of previous.s3Clients.values()) client.destroy();
    return { notice: describeMove(previous, next, this.options.stackName) };
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
    const { aws } = primaryStack(this.config, this.options.stackName);
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
    const stack = this.stackFor(request.stack);
    const trail = new AuditTrail(this.audit);
    const requester =
      request.requester === undefined
        ? this.requester()
        : safeRequester(request.requester, this.redactor.text);
    await trail.write({
      kind: 'request',
      trigger: request.trigger,
      requester,
      text: request.text,
      stack: stack.name,
    });
    const tools = new ToolLayer({
      connections: this.tracker.watchTools(this.connections),
      servers: this.config.servers,
      trail,
    });
    return {
      config: this.config,
      stack,
      tools,
      github: new GithubTools(tools, this.config.github, this.redactor.text),
      pulumi: new PulumiTools(tools, {
        name: stack.name,
        workDir: resolveFromConfig(this.loaded, stack.workDir),
      }),
      s3: this.s3For(stack),
      engine: this.engine,
      now: this.options.now,
      requester,
      trigger: request.trigger,
      approval: request.approval,
      mandate: request.mandate,
      directInvalidator: (distributionId) => this.directInvalidator(stack, distributionId),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      ...(request.job ? { job: request.job } : {}),
    };
  }

  /** CloudFront on the stack's own AWS settings; loaded only when a deploy needs it. */
  private async directInvalidator(stack: StackConfig, distributionId: string): Promise<Invalidator> {
    if (this.options.directInvalidator) return this.options.directInvalidator(distributionId);
    const [{ createCloudFrontClient }, { isLoopbackUrl }, { createCloudFrontInvalidator, LOCAL_POLL_DELAY }] =
      await Promise.all([
        import('../aws/cloudfront-client.js'),
        import('../aws/endpoints.js'),
        import('../cdn/cloudfront-invalidator.js'),
      ]);
    const { aws } = stack;
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
    for (const client of this.wiring.s3Clients.values()) client.destroy();
    this.wiring.s3Clients.clear();
  }
}
