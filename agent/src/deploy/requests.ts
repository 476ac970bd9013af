import {
  type ConnectionFailure,
  connectionFailure,
  type EndpointService,
  endpointUnreachable,
  SERVICES,
  serviceName,
  unreachableError,
  type WaitEvent,
  withAction,
} from '../errors/endpoint.js';
import { FrontendOpsError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, type RetryEvent, type RetryPolicy, withRetry } from './retry.js';

/**
 * Every S3 request of a deploy goes through one `RequestRunner`: it retries (retry.ts) and counts
 * each attempt by S3 operation name, which is what the deploy report and the benchmark show. An
 * endpoint that does not answer at all fails within `deadlineMs` with ENDPOINT_UNREACHABLE naming it,
 * and whoever listens to `onWait` hears what is being waited for while that happens.
 */
export interface RequestRunner {
  /**
   * Runs one S3 request with retries. Each attempt gets an AbortSignal that fires after the runner's
   * attempt timeout (plus the call's `extraMs`): pass it to `s3.send(command, { abortSignal })`. A
   * request that hangs (a dead connection, a stuck endpoint) then fails as a retryable timeout instead
   * of stalling the deploy, and its lock, forever.
   */
  run<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>, options?: RunOptions): Promise<T>;
  /** Attempts by S3 operation, retries included. */
  counts(): Record<string, number>;
  retries(): number;
}

export interface RunOptions {
  /**
   * Time a transfer legitimately needs on top of a metadata request (`transferAllowanceMs`): added to
   * the attempt timeout and to the deadline, so a big copy is never cut short while a dead endpoint
   * still fails within the deadline plus that allowance.
   */
  extraMs?: number;
  /** An absolute attempt timeout instead; the deadline then allows at least one such attempt. */
  timeoutMs?: number;
}

/** The time moving `bytes` takes at `bytesPerSecond`, in whole milliseconds. */
export function transferAllowanceMs(bytes: number, bytesPerSecond: number): number {
  return Math.ceil((bytes / bytesPerSecond) * 1000);
}

/**
 * Per-attempt timeout of metadata requests and small copies: S3 answers those in well under a second,
 * so ten silent seconds mean a hung connection. Transfers add their size's worth (`extraMs`).
 */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
/** How long one request may go without any answer, across its attempts, before ENDPOINT_UNREACHABLE. */
export const DEFAULT_REQUEST_DEADLINE_MS = 25_000;
/** Attempts when no connection can be made: a refused port is not going to open in a second. */
export const DEFAULT_CONNECT_ATTEMPTS = 3;
/** Attempts that connected but got no answer within their timeout. */
export const DEFAULT_SILENT_ATTEMPTS = 3;
/** An attempt unanswered this long is reported as a wait (progress output). */
export const DEFAULT_WAIT_NOTICE_MS = 2_000;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The endpoint a runner's requests go to; a function when it must be resolved (an SDK client's config). */
export interface RunnerEndpoint {
  service: EndpointService;
  url: string | (() => Promise<string>);
}

export interface RequestRunnerOptions {
  /** Per-attempt timeout unless a call sets its own. */
  attemptTimeoutMs?: number;
  /** Total time a request may go unanswered across attempts (default `DEFAULT_REQUEST_DEADLINE_MS`). */
  deadlineMs?: number;
  connectAttempts?: number;
  silentAttempts?: number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  policy?: RetryPolicy;
  onRetry?: (event: RetryEvent) => void;
  /** Named in ENDPOINT_UNREACHABLE and in wait notices; default: taken from the socket error, if any. */
  endpoint?: RunnerEndpoint;
  /** Told what is being waited for: an attempt unanswered for `waitNoticeMs`, or a retry after no answer. */
  onWait?: (event: WaitEvent) => void;
  waitNoticeMs?: number;
  /** Monotonic milliseconds (default `performance.now`). */
  now?: () => number;
  /** Attempt timeouts and wait notices (default the global timers). */
  timers?: Timers;
}

/** Our own per-attempt timeout: the endpoint accepted the request and did not answer in time. */
class AttemptTimeoutError extends Error {
  // The SDK's classifier treats TimeoutError as transient, so the attempt is retried.
  override readonly name = 'TimeoutError';
}

/** The connection failure behind an attempt's error; our own timeout is a silent endpoint. */
function failureOf(error: unknown): ConnectionFailure | undefined {
  if (error instanceof AttemptTimeoutError) {
    return { code: 'ETIMEDOUT', reason: 'did not answer in time', kind: 'no-response' };
  }
  return connectionFailure(error);
}

export function createRequestRunner(options: RequestRunnerOptions): RequestRunner {
  const counts = new Map<string, number>();
  let retries = 0;
  let lastNoticeAt = Number.NEGATIVE_INFINITY;
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  const timers = options.timers ?? REAL_TIMERS;
  const service = options.endpoint?.service ?? 's3';
  const connectAttempts = options.connectAttempts ?? DEFAULT_CONNECT_ATTEMPTS;
  const silentAttempts = options.silentAttempts ?? DEFAULT_SILENT_ATTEMPTS;
  const noticeMs = options.waitNoticeMs ?? DEFAULT_WAIT_NOTICE_MS;
  let endpointUrl: Promise<string | undefined> | undefined;
  const resolveEndpoint = (): Promise<string | undefined> => {
    const url = options.endpoint?.url;
    endpointUrl ??= typeof url === 'function' ? url().catch(() => undefined) : Promise.resolve(url);
    return endpointUrl;
  };
  const wait = (event: Omit<WaitEvent, 'service' | 'endpoint'>, error?: unknown) => {
    const onWait = options.onWait;
    if (onWait === undefined) return;
    // Thirty-two stuck copies are one thing to wait for, not thirty-two lines a second.
    if (now() - lastNoticeAt < 1000) return;
    lastNoticeAt = now();
    void resolveEndpoint().then((url) =>
      onWait({
        service,
        endpoint: url ?? connectionFailure(error)?.address ?? `the ${serviceName(service)} endpoint`,
        ...event,
      }),
    );
  };

  return {
    run(operation, attempt, runOptions = {}) {
      const extraMs = Math.max(0, runOptions.extraMs ?? 0);
      const timeoutMs =
        runOptions.timeoutMs ?? (options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS) + extraMs;
      const deadlineMs = Math.max(
        (options.deadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS) + extraMs,
        runOptions.timeoutMs ?? 0,
      );
      const started = now();
      return withRetry(
        async (index, context) => {
          counts.set(operation, (counts.get(operation) ?? 0) + 1);
          const limit = Math.min(timeoutMs, context.remainingMs ?? Number.POSITIVE_INFINITY);
          const controller = new AbortController();
          const timer = timers.setTimeout(() => controller.abort(), limit);
          const notice =
            options.onWait === undefined || noticeMs >= limit
              ? undefined
              : timers.setTimeout(
                  () =>
                    wait({
                      operation,
                      attempt: index + 1,
                      maxAttempts: Math.min(silentAttempts, policy.maxAttempts),
                      elapsedMs: now() - started,
                    }),
                  noticeMs,
                );
          try {
            return await attempt(controller.signal);
          } catch (error) {
            // The SDK reports an aborted request as AbortError, which is terminal; ours is a timeout.
            if (controller.signal.aborted) {
              throw new AttemptTimeoutError(`${operation} did not complete within ${limit} ms`, {
                cause: error,
              });
            }
            throw error;
          } finally {
            timers.clearTimeout(timer);
            if (notice !== undefined) timers.clearTimeout(notice);
          }
        },
        {
          operation,
          policy,
          sleep: options.sleep,
          random,
          onRetry: (event) => {
            retries += 1;
            options.onRetry?.(event);
            if (event.failure !== undefined) {
              wait({
                operation,
                attempt: event.attempt + 1,
                maxAttempts: event.maxAttempts ?? policy.maxAttempts,
                elapsedMs: event.elapsedMs ?? now() - started,
                failure: event.failure,
              });
            }
          },
          unanswered: {
            now,
            deadlineMs,
            connectAttempts,
            silentAttempts,
            classify: (error) => failureOf(error)?.kind,
            giveUp: async ({ attempts, elapsedMs, error }) => {
              const failure = failureOf(error) as ConnectionFailure;
              const endpoint = await resolveEndpoint();
              return unreachableError(
                {
                  service,
                  ...(endpoint === undefined ? {} : { endpoint }),
                  operation,
                  attempts,
                  elapsedMs,
                  ...(failure.kind === 'no-response' ? { timeoutMs } : {}),
                  deadlineMs,
                },
                failure,
                error,
              );
            },
          },
        },
      );
    },
    counts: () => Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    retries: () => retries,
  };
}

interface S3ErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The S3 error name (`NoSuchKey`, `PreconditionFailed`, …) or undefined. */
export function s3ErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as S3ErrorLike).name : undefined;
}

export function s3StatusCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null
    ? (error as S3ErrorLike).$metadata?.httpStatusCode
    : undefined;
}

export function isNotFound(error: unknown): boolean {
  const name = s3ErrorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || s3StatusCode(error) === 404;
}

export function isPreconditionFailed(error: unknown): boolean {
  return s3ErrorName(error) === 'PreconditionFailed' || s3StatusCode(error) === 412;
}

/** A failed S3 call as the user sees it: what was being done, and S3's own error name. */
export function s3Failure(error: unknown, action: string): FrontendOpsError {
  // The runner's ENDPOINT_UNREACHABLE learns here what was being done; other coded errors pass as they are.
  if (error instanceof FrontendOpsError) return withAction(error, action);
  // A dead or unknown endpoint is not an S3 answer: say what is down (the session adds how to start it).
  const unreachable = endpointUnreachable(error, { service: SERVICES.s3, action });
  if (unreachable) return unreachable;
  const name = s3ErrorName(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new FrontendOpsError('S3_ERROR', `${action} failed: ${name}: ${message}`, {
    hint:
      name === 'AccessDenied'
        ? 'The deployer credentials lack permission for this bucket/key.'
        : 'Check the endpoint and credentials; retryable errors were already retried.',
    data: { s3Error: name, ...(s3StatusCode(error) === undefined ? {} : { status: s3StatusCode(error) }) },
    cause: error,
  });
}

/** Waits `ms`; resolves early (and leaves no timer behind) when `signal` aborts. */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
