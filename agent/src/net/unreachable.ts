import { FrontendOpsError } from '../errors.js';

/**
 * Telling "the endpoint did not answer at all" apart from "the endpoint answered with an error", and
 * saying so in one error (`ENDPOINT_UNREACHABLE`) that names the endpoint. The S3 request runner, the
 * CloudFront invalidator and the site health check all classify their failures here, so `status`,
 * `doctor` and a deploy describe a dead endpoint the same way.
 */

/** Which dependency an endpoint is: `data.service` of every ENDPOINT_UNREACHABLE error. */
export type EndpointService = 's3' | 'cloudfront' | 'edge' | 'mcp';

/**
 * How a request failed without an HTTP answer:
 * - `refused`: nothing listens (ECONNREFUSED) — the usual "sandbox not started";
 * - `dns`: the host name does not resolve;
 * - `no-route`: the network cannot reach the host (EHOSTUNREACH, ENETUNREACH);
 * - `connect-timeout`: the TCP connection was not established in time (a black-holed address);
 * - `no-response`: connected, but no answer within the attempt's timeout (a hung server);
 * - `reset`: the connection closed before any answer.
 */
export type NetworkFailure = 'refused' | 'dns' | 'no-route' | 'connect-timeout' | 'no-response' | 'reset';

/** Failures that happen before a connection exists: retrying them is cheap and rarely helps. */
export function isConnectFailure(failure: NetworkFailure): boolean {
  return (
    failure === 'refused' || failure === 'dns' || failure === 'no-route' || failure === 'connect-timeout'
  );
}

const CODES: Readonly<Record<string, NetworkFailure>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'no-route',
  ENETUNREACH: 'no-route',
  EADDRNOTAVAIL: 'no-route',
  // The kernel gave up on the SYN: the address swallows packets.
  ETIMEDOUT: 'connect-timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  UND_ERR_HEADERS_TIMEOUT: 'no-response',
  UND_ERR_BODY_TIMEOUT: 'no-response',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
};

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shape(error: unknown): ErrorShape | undefined {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : undefined;
}

/**
 * The network failure behind `error`, or undefined when the endpoint answered (any HTTP status) or the
 * error is not about the network. Looks through `cause` chains (fetch wraps the socket error in a
 * TypeError) and AggregateErrors (Node tries each address of a host).
 */
export function networkFailureOf(error: unknown, depth = 0): NetworkFailure | undefined {
  const e = shape(error);
  if (e === undefined || depth > 5) return undefined;
  if (typeof e.$metadata?.httpStatusCode === 'number') return undefined;
  if (typeof e.code === 'string' && CODES[e.code] !== undefined) return CODES[e.code];
  const message = typeof e.message === 'string' ? e.message : '';
  // @smithy/node-http-handler's connectionTimeout error carries no code, only this sentence.
  if (/did not establish a connection/i.test(message)) return 'connect-timeout';
  if (/socket hang up/i.test(message)) return 'reset';
  const nested = [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  for (const inner of nested) {
    const found = networkFailureOf(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * An endpoint as it may be printed: scheme, host, port and path, never user info or a query string
 * (a pre-signed URL carries its signature there).
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

const SERVICE_NAMES: Readonly<Record<EndpointService, string>> = {
  s3: 'S3',
  cloudfront: 'the CloudFront API',
  edge: 'the site',
  mcp: 'MCP server',
};

export function describeEndpoint(service: EndpointService, endpoint: string): string {
  return `${SERVICE_NAMES[service]} at ${displayEndpoint(endpoint)}`;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 || Number.isInteger(s) ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

function isLoopback(endpoint: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/** What was being waited for, as progress output says it: `waiting for S3 at … (GetObject, attempt 2/3, 6 s)`. */
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

export function waitingMessage(event: WaitEvent): string {
  return `waiting for ${describeEndpoint(event.service, event.endpoint)} (${event.operation}, attempt ${event.attempt}/${event.maxAttempts}, ${seconds(event.elapsedMs)})`;
}

export interface UnreachableDetails {
  service: EndpointService;
  endpoint: string;
  operation: string;
  failure: NetworkFailure;
  attempts: number;
  elapsedMs: number;
  /** The per-attempt timeout, when attempts ended by timing out. */
  timeoutMs?: number;
  /** The total time the request was allowed to go unanswered. */
  deadlineMs?: number;
  cause?: unknown;
}

function failureText(details: UnreachableDetails): string {
  switch (details.failure) {
    case 'refused':
      return 'refused the connection';
    case 'dns':
      return 'does not resolve (DNS)';
    case 'no-route':
      return 'is not reachable from this network';
    case 'connect-timeout':
      return 'did not accept a connection';
    case 'reset':
      return 'closed the connection without answering';
    case 'no-response':
      return details.timeoutMs === undefined
        ? 'did not answer'
        : `did not answer within ${seconds(details.timeoutMs)}`;
  }
}

function hintFor(service: EndpointService, endpoint: string): string {
  if (isLoopback(endpoint)) {
    return 'Start the sandbox with `frontendops sandbox start`, then check with `frontendops doctor`.';
  }
  switch (service) {
    case 's3':
      return 'Check the network path to S3 (and stacks[].aws.s3Endpoint); `frontendops doctor` checks every dependency.';
    case 'cloudfront':
      return 'Check the network path to CloudFront (and stacks[].aws.cloudfrontEndpoint); run `frontendops doctor`.';
    case 'edge':
      return "Check that the stack's url is reachable from here; run `frontendops doctor`.";
    case 'mcp':
      return 'Check the MCP server entry in the config; run `frontendops doctor`.';
  }
}

/** The ENDPOINT_UNREACHABLE error: the endpoint, what was tried, how often and for how long. */
export function endpointUnreachable(details: UnreachableDetails): FrontendOpsError {
  const endpoint = displayEndpoint(details.endpoint);
  const tries = details.attempts === 1 ? '1 attempt' : `${details.attempts} attempts`;
  return new FrontendOpsError(
    'ENDPOINT_UNREACHABLE',
    `${describeEndpoint(details.service, endpoint)} ${failureText(details)} (${details.operation}; ${tries} in ${seconds(details.elapsedMs)})`,
    {
      hint: hintFor(details.service, endpoint),
      data: {
        service: details.service,
        endpoint,
        operation: details.operation,
        reason: details.failure,
        attempts: details.attempts,
        elapsedMs: Math.round(details.elapsedMs),
        ...(details.timeoutMs === undefined ? {} : { timeoutMs: details.timeoutMs }),
        ...(details.deadlineMs === undefined ? {} : { deadlineMs: details.deadlineMs }),
      },
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    },
  );
}
