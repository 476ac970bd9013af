import { FrontendOpsError } from '../errors.js';

/**
 * The one classifier of connection failures. An endpoint that is down, unknown or stops answering
 * reaches us in several shapes — Node's socket errors (`connect ECONNREFUSED 127.0.0.1:4566`, which the
 * AWS SDK passes on unchanged), undici's `fetch failed` with the socket error as its `cause`, an
 * `AggregateError` when several addresses were tried — and every raise site (the S3 wrapper, the
 * CloudFront invalidator, the health check, doctor) turns them into one ENDPOINT_UNREACHABLE that names
 * the service and its endpoint. What to do about it depends on where the config came from (a sandbox, or
 * real AWS); `explainUnreachable` adds that hint where the config is known. The request runner
 * (deploy/requests.ts) and the health check use the failure's `kind` to decide how often a dead endpoint
 * is worth another attempt, and raise the error with what they tried (`unreachableError` with attempts,
 * timeout and deadline); `waitingMessage` is the progress line while they wait.
 */

/** Which dependency is down: `data.service` of every ENDPOINT_UNREACHABLE holds one of these ids. */
export const SERVICES = {
  s3: 's3',
  cloudfront: 'cloudfront',
  edge: 'edge',
  mcp: 'mcp',
} as const;

export type EndpointService = (typeof SERVICES)[keyof typeof SERVICES];

/** How a person names each service. */
const SERVICE_NAMES: Readonly<Record<string, string>> = {
  s3: 'S3',
  cloudfront: 'the CloudFront API',
  edge: 'the site',
  mcp: 'the MCP server',
};

export function serviceName(service: string): string {
  return SERVICE_NAMES[service] ?? service;
}

/**
 * How a request failed without an HTTP answer, which decides how often it is worth trying again:
 * - `refused`, `dns`, `no-route`, `connect-timeout`: no connection was made (`isConnectFailure`);
 * - `no-response`: connected, but nothing came back within the attempt's timeout (a hung server);
 * - `reset`: the connection closed before any answer.
 */
export type NetworkFailure = 'refused' | 'dns' | 'no-route' | 'connect-timeout' | 'no-response' | 'reset';

/** Failures before a connection exists: retrying them is cheap and rarely helps. */
export function isConnectFailure(kind: NetworkFailure): boolean {
  return kind === 'refused' || kind === 'dns' || kind === 'no-route' || kind === 'connect-timeout';
}

/** Node/undici error codes that mean "the endpoint did not take, keep or answer the connection". */
const CONNECTION_CODES: Readonly<Record<string, { reason: string; kind: NetworkFailure }>> = {
  ECONNREFUSED: { reason: 'refused the connection', kind: 'refused' },
  ENOTFOUND: { reason: 'has a host name that does not resolve', kind: 'dns' },
  EAI_AGAIN: { reason: 'has a host name that could not be looked up', kind: 'dns' },
  // The kernel gave up on the connection: the address swallows packets.
  ETIMEDOUT: { reason: 'did not answer in time', kind: 'connect-timeout' },
  ECONNRESET: { reason: 'dropped the connection', kind: 'reset' },
  EPIPE: { reason: 'dropped the connection', kind: 'reset' },
  EHOSTUNREACH: { reason: 'cannot be reached (no route to host)', kind: 'no-route' },
  ENETUNREACH: { reason: 'cannot be reached (network unreachable)', kind: 'no-route' },
  EADDRNOTAVAIL: { reason: 'cannot be reached (address not available)', kind: 'no-route' },
  ECONNABORTED: { reason: 'dropped the connection', kind: 'reset' },
  UND_ERR_CONNECT_TIMEOUT: { reason: 'did not accept the connection in time', kind: 'connect-timeout' },
  UND_ERR_HEADERS_TIMEOUT: { reason: 'did not answer in time', kind: 'no-response' },
  UND_ERR_BODY_TIMEOUT: { reason: 'did not answer in time', kind: 'no-response' },
  UND_ERR_SOCKET: { reason: 'dropped the connection', kind: 'reset' },
  UND_ERR_CLOSED: { reason: 'dropped the connection', kind: 'reset' },
};

export interface ConnectionFailure {
  /** ECONNREFUSED, ENOTFOUND, … (`ECONNRESET` for a bare "socket hang up"). */
  code: string;
  /** Human words for the code: "refused the connection". */
  reason: string;
  kind: NetworkFailure;
  /** `host:port` or host name the error names, when it names one. */
  address?: string;
}

interface ErrorShape {
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  message?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function addressOf(error: ErrorShape): string | undefined {
  if (typeof error.address === 'string') {
    return typeof error.port === 'number' ? `${error.address}:${error.port}` : error.address;
  }
  return typeof error.hostname === 'string' ? error.hostname : undefined;
}

/**
 * The connection failure inside `error`, looking through `cause` chains and `AggregateError`s (bounded:
 * a cyclic cause cannot loop). Undefined for anything else — an HTTP error status, a refused request,
 * a bad argument — which an endpoint that answered produced.
 */
export function connectionFailure(error: unknown): ConnectionFailure | undefined {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 16; seen += 1) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null) continue;
    const shape = current as ErrorShape;
    // An error with an HTTP status is an answer, whatever else it carries.
    if (typeof shape.$metadata?.httpStatusCode === 'number') return undefined;
    const code = typeof shape.code === 'string' ? shape.code : undefined;
    const known = code === undefined ? undefined : CONNECTION_CODES[code];
    if (code !== undefined && known !== undefined) {
      const nested = Array.isArray(shape.errors) ? (shape.errors[0] as ErrorShape | undefined) : undefined;
      const address = addressOf(shape) ?? (nested ? addressOf(nested) : undefined);
      return { code, ...known, ...(address === undefined ? {} : { address }) };
    }
    const message = typeof shape.message === 'string' ? shape.message : '';
    // Node's words for a server that closed the socket without answering; wrappers may keep only them.
    if (/socket hang up/i.test(message)) return { code: 'ECONNRESET', ...CONNECTION_CODES.ECONNRESET! };
    // @smithy/node-http-handler's connectionTimeout error carries no code, only this sentence.
    if (/did not establish a connection/i.test(message)) {
      return { code: 'ETIMEDOUT', reason: 'did not accept the connection in time', kind: 'connect-timeout' };
    }
    if (shape.cause !== undefined) queue.push(shape.cause);
    if (Array.isArray(shape.errors)) queue.push(...shape.errors);
  }
  return undefined;
}

export interface EndpointTarget {
  service: EndpointService;
  /** Its URL, when the raise site knows it; else the address the error names is shown. */
  endpoint?: string;
  /** What was being done: `reading s3://bucket/key`. */
  action?: string;
  /** Overrides the default hint. */
  hint?: string;
  /** After retries (the request runner, the health check): the request, and what was tried. */
  operation?: string;
  attempts?: number;
  elapsedMs?: number;
  /** The per-attempt timeout, when attempts ended by timing out. */
  timeoutMs?: number;
  /** The total time the request was allowed to go unanswered. */
  deadlineMs?: number;
}

/**
 * An endpoint as it may be printed: scheme, host, port and path, never user info or a query string (a
 * pre-signed URL carries its signature there).
 */
export function displayEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    return `${parsed.protocol}//${parsed.host}${path}`;
  } catch {
    return url.replace(/[?#].*$/s, '').replace(/\/\/[^/@]*@/, '//');
  }
}

/** Where the endpoint is: the raise site's URL (printable form), else the address the error names. */
function endpointOf(target: EndpointTarget, failure: ConnectionFailure): string | undefined {
  return target.endpoint === undefined ? failure.address : displayEndpoint(target.endpoint);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 || Number.isInteger(s) ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** What a request waits for, as progress output says it. */
export interface WaitEvent {
  service: EndpointService;
  endpoint: string;
  operation: string;
  attempt: number;
  maxAttempts: number;
  elapsedMs: number;
  /** Why the previous attempt ended, when this is a retry. */
  failure?: NetworkFailure;
}

/** `waiting for S3 at http://127.0.0.1:4566 (GetObject, attempt 2/3, 10 s)`. */
export function waitingMessage(event: WaitEvent): string {
  return `waiting for ${serviceName(event.service)} at ${displayEndpoint(event.endpoint)} (${event.operation}, attempt ${event.attempt}/${event.maxAttempts}, ${seconds(event.elapsedMs)})`;
}

export function unreachableError(
  target: EndpointTarget,
  failure: ConnectionFailure,
  cause?: unknown,
): FrontendOpsError {
  const endpoint = endpointOf(target, failure);
  const name = serviceName(target.service);
  const where = endpoint === undefined ? name : `${name} at ${endpoint}`;
  const during = target.action === undefined ? '' : ` while ${target.action}`;
  const reason =
    failure.kind === 'no-response' && target.timeoutMs !== undefined
      ? `did not answer within ${seconds(target.timeoutMs)}`
      : failure.reason;
  return new FrontendOpsError(
    'ENDPOINT_UNREACHABLE',
    `${where} ${reason} (${failure.code})${during}${triedText(target)}`,
    {
      hint:
        target.hint ??
        `Check that ${endpoint ?? name} is up and reachable from this machine; \`frontendops doctor\` checks every dependency.`,
      data: {
        service: target.service,
        ...(endpoint === undefined ? {} : { endpoint }),
        reason: failure.code,
        kind: failure.kind,
        ...(target.action === undefined ? {} : { action: target.action }),
        ...(target.operation === undefined ? {} : { operation: target.operation }),
        ...(target.attempts === undefined ? {} : { attempts: target.attempts }),
        ...(target.elapsedMs === undefined ? {} : { elapsedMs: Math.round(target.elapsedMs) }),
        ...(target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs }),
        ...(target.deadlineMs === undefined ? {} : { deadlineMs: target.deadlineMs }),
      },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/** `; 3 attempts of GetObject in 25 s` — what a runner tried, from an error's target or data. */
function triedText(target: Pick<EndpointTarget, 'attempts' | 'operation' | 'elapsedMs'>): string {
  if (target.attempts === undefined) return '';
  const attempts = target.attempts === 1 ? '1 attempt' : `${target.attempts} attempts`;
  const of = target.operation === undefined ? '' : ` of ${target.operation}`;
  const time = target.elapsedMs === undefined ? '' : ` in ${seconds(Math.round(target.elapsedMs))}`;
  return `; ${attempts}${of}${time}`;
}

/**
 * Adds what was being done (`reading s3://bucket/key`) to an ENDPOINT_UNREACHABLE raised below the
 * place that knows it (the request runner raises it; `s3Failure` knows the action). An error that
 * already names an action, or another error, is returned unchanged.
 */
export function withAction(error: FrontendOpsError, action: string): FrontendOpsError {
  const data = error.data ?? {};
  if (error.code !== 'ENDPOINT_UNREACHABLE' || data.action !== undefined) return error;
  const tried = triedText({
    ...(typeof data.attempts === 'number' ? { attempts: data.attempts } : {}),
    ...(typeof data.operation === 'string' ? { operation: data.operation } : {}),
    ...(typeof data.elapsedMs === 'number' ? { elapsedMs: data.elapsedMs } : {}),
  });
  const head =
    tried !== '' && error.message.endsWith(tried) ? error.message.slice(0, -tried.length) : error.message;
  const tail = head === error.message ? '' : tried;
  return new FrontendOpsError('ENDPOINT_UNREACHABLE', `${head} while ${action}${tail}`, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    data: { ...data, action },
    cause: error.cause ?? error,
  });
}

/** ENDPOINT_UNREACHABLE for a connection failure; undefined when `error` is something else. */
export function endpointUnreachable(error: unknown, target: EndpointTarget): FrontendOpsError | undefined {
  if (error instanceof FrontendOpsError && error.code === 'ENDPOINT_UNREACHABLE') return error;
  const failure = connectionFailure(error);
  return failure === undefined ? undefined : unreachableError(target, failure, error);
}

/** What a session knows about where its endpoints are, for hints that say how to bring one back. */
export interface EndpointContext {
  /** The config file the endpoints come from. */
  configPath: string;
  /** Configured endpoints by service id (`SERVICES`); absent means the service's AWS default. */
  endpoints: Readonly<Record<string, string | undefined>>;
  region: string;
  /** Set when a FrontendOps sandbox wrote the config. */
  sandbox?: SandboxWhereabouts;
}

export interface SandboxWhereabouts {
  /** The sandbox directory, as the user should type it. */
  dir: string;
  /** Started with --persist (the demo's is): restarting without it would start a fresh world. */
  persist: boolean;
  /** Pid of a sandbox process that still holds the directory, if any. */
  runningPid?: number;
  /** The demo's sandbox: `npm run demo` brings it back with the dashboard deployed. */
  demo: boolean;
}

/** The command that brings a stopped sandbox back, with its directory. */
export function sandboxStartCommand(sandbox: SandboxWhereabouts): string {
  return `frontendops sandbox start --dir ${sandbox.dir}${sandbox.persist ? ' --persist' : ''}`;
}

function sandboxHint(service: string, sandbox: SandboxWhereabouts): string {
  if (sandbox.runningPid !== undefined) {
    return (
      `The sandbox in ${sandbox.dir} (pid ${sandbox.runningPid}) runs but ${serviceName(service)} does not answer: ` +
      `stop it (Ctrl-C) and start it again with \`${sandboxStartCommand(sandbox)}\`.`
    );
  }
  const start = sandbox.demo
    ? `\`npm run demo\` (or \`${sandboxStartCommand(sandbox)}\`)`
    : `\`${sandboxStartCommand(sandbox)}\``;
  return `The sandbox in ${sandbox.dir} is not running: start it with ${start}, then try again.`;
}

function awsHint(
  service: string,
  endpoint: string | undefined,
  configured: boolean,
  context: EndpointContext,
): string {
  if (service === SERVICES.edge) {
    const url = endpoint === undefined ? 'the site URL' : `the site URL ${endpoint}`;
    return `Check ${url} (the stack's url output) and its CloudFront distribution; \`frontendops doctor\` checks every dependency.`;
  }
  const custom = context.endpoints[service];
  if (configured && custom !== undefined) {
    const field = service === SERVICES.s3 ? 'aws.s3Endpoint' : 'aws.cloudfrontEndpoint';
    return `Check that ${custom} (${field} in ${context.configPath}) is up and reachable from this machine.`;
  }
  if (custom === undefined && (endpoint === undefined || !isLoopbackHost(endpoint))) {
    return (
      `Check this machine's network path to AWS ${serviceName(service)} in ${context.region} (DNS, proxy, VPN, firewall); ` +
      '`frontendops doctor` checks every dependency.'
    );
  }
  // Not the endpoint this config names: another process's own setting (an MCP server's environment).
  return `Check that ${endpoint ?? serviceName(service)} is up and reachable from this machine (it is not the endpoint ${context.configPath} names for ${serviceName(service)}; check the MCP servers' env in mcpServers).`;
}

function isLoopbackHost(endpoint: string): boolean {
  const host = hostOf(endpoint) ?? endpoint;
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * Fills in what a raise site cannot know: the configured endpoint of the service (when the error only
 * saw an address) and a hint that says how to start it — the sandbox command for a sandbox's config,
 * what to check for real AWS. Other errors pass through unchanged.
 */
export function explainUnreachable(error: FrontendOpsError, context: EndpointContext): FrontendOpsError {
  if (error.code !== 'ENDPOINT_UNREACHABLE') return error;
  const data = error.data ?? {};
  const service = typeof data.service === 'string' ? data.service : 'endpoint';
  const configured = context.endpoints[service];
  const seen = typeof data.endpoint === 'string' ? data.endpoint : undefined;
  // A raise site that only saw the socket's `host:port` is shown the configured URL of that same
  // address; an endpoint that differs (another process's own setting) is left as it was seen.
  const sameAddress = configured !== undefined && seen !== undefined && hostOf(configured) === seen;
  const isConfigured =
    configured !== undefined &&
    (seen === undefined || sameAddress || seen === configured || hostOf(seen) === hostOf(configured));
  const endpoint = seen === undefined || sameAddress ? configured : seen;
  const message = sameAddress && seen !== undefined ? error.message.replace(seen, configured) : error.message;
  // The sandbox's command only when what failed is the sandbox's endpoint (the edge's URL comes from the
  // stack outputs the sandbox wrote, so it counts when it is on loopback).
  const sandboxOwned =
    context.sandbox !== undefined &&
    (isConfigured || (service === SERVICES.edge && endpoint !== undefined && isLoopbackHost(endpoint)));
  const hint =
    sandboxOwned && context.sandbox
      ? sandboxHint(service, context.sandbox)
      : awsHint(service, endpoint, isConfigured, context);
  return new FrontendOpsError('ENDPOINT_UNREACHABLE', message, {
    hint,
    data: {
      ...data,
      service,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(context.sandbox ? { sandboxDir: context.sandbox.dir } : {}),
    },
    cause: error,
  });
}
