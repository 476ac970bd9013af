import { FrontendOpsError } from '../errors.js';

/**
 * The one classifier of connection failures. An endpoint that is down, unknown or stops answering
 * reaches us in several shapes — Node's socket errors (`connect ECONNREFUSED 127.0.0.1:4566`, which the
 * AWS SDK passes on unchanged), undici's `fetch failed` with the socket error as its `cause`, an
 * `AggregateError` when several addresses were tried — and every raise site (the S3 wrapper, the
 * CloudFront invalidator, the health check, doctor) turns them into one ENDPOINT_UNREACHABLE that names
 * the service and its endpoint. What to do about it depends on where the config came from (a sandbox, or
 * real AWS); `explainUnreachable` adds that hint where the config is known.
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

/** Node/undici error codes that mean "the endpoint did not take or keep the connection". */
const CONNECTION_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused the connection',
  ENOTFOUND: 'has a host name that does not resolve',
  EAI_AGAIN: 'has a host name that could not be looked up',
  ETIMEDOUT: 'did not answer in time',
  ECONNRESET: 'dropped the connection',
  EPIPE: 'dropped the connection',
  EHOSTUNREACH: 'cannot be reached (no route to host)',
  ENETUNREACH: 'cannot be reached (network unreachable)',
  ECONNABORTED: 'dropped the connection',
  UND_ERR_CONNECT_TIMEOUT: 'did not accept the connection in time',
  UND_ERR_SOCKET: 'dropped the connection',
  UND_ERR_CLOSED: 'dropped the connection',
};

export interface ConnectionFailure {
  /** ECONNREFUSED, ENOTFOUND, … (`ECONNRESET` for a bare "socket hang up"). */
  code: string;
  /** Human words for the code: "refused the connection". */
  reason: string;
  /** `host:port` or host name the error names, when it names one. */
  address?: string;
}

interface ErrorShape {
  code?: unknown;
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
    const code = typeof shape.code === 'string' ? shape.code : undefined;
    if (code !== undefined && code in CONNECTION_CODES) {
      const nested = Array.isArray(shape.errors) ? (shape.errors[0] as ErrorShape | undefined) : undefined;
      const address = addressOf(shape) ?? (nested ? addressOf(nested) : undefined);
      return {
        code,
        reason: CONNECTION_CODES[code] as string,
        ...(address === undefined ? {} : { address }),
      };
    }
    // Node's words for a server that closed the socket without answering; wrappers may keep only them.
    if (typeof shape.message === 'string' && /socket hang up/i.test(shape.message)) {
      return { code: 'ECONNRESET', reason: CONNECTION_CODES.ECONNRESET as string };
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
}

/** Where the endpoint is, as a URL when possible: `127.0.0.1:4566` → `http://127.0.0.1:4566`. */
function endpointOf(target: EndpointTarget, failure: ConnectionFailure): string | undefined {
  return target.endpoint ?? failure.address;
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
  return new FrontendOpsError(
    'ENDPOINT_UNREACHABLE',
    `${where} ${failure.reason} (${failure.code})${during}`,
    {
      hint:
        target.hint ??
        `Check that ${endpoint ?? name} is up and reachable from this machine; \`frontendops doctor\` checks every dependency.`,
      data: {
        service: target.service,
        ...(endpoint === undefined ? {} : { endpoint }),
        reason: failure.code,
      },
      ...(cause === undefined ? {} : { cause }),
    },
  );
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
