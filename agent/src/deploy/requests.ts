import { endpointUnreachable, SERVICES } from '../errors/endpoint.js';
import { FrontendOpsError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, type RetryEvent, type RetryPolicy, withRetry } from './retry.js';

/**
 * Every S3 request of a deploy goes through one `RequestRunner`: it retries (retry.ts) and counts
 * each attempt by S3 operation name, which is what the deploy report and the benchmark show.
 */
export interface RequestRunner {
  /**
   * Runs one S3 request with retries. Each attempt gets an AbortSignal that fires after `timeoutMs`
   * (default `DEFAULT_ATTEMPT_TIMEOUT_MS`): pass it to `s3.send(command, { abortSignal })`. A request
   * that hangs (a dead connection, a stuck endpoint) then fails as a retryable TimeoutError instead of
   * stalling the deploy, and its lock, forever.
   */
  run<T>(
    operation: string,
    attempt: (signal: AbortSignal) => Promise<T>,
    options?: { timeoutMs?: number },
  ): Promise<T>;
  /** Attempts by S3 operation, retries included. */
  counts(): Record<string, number>;
  retries(): number;
}

/** Generous for metadata calls and small copies; copies of big objects get more (copy.ts). */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 60_000;

export interface RequestRunnerOptions {
  /** Per-attempt timeout unless a call sets its own. */
  attemptTimeoutMs?: number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  policy?: RetryPolicy;
  onRetry?: (event: RetryEvent) => void;
}

export function createRequestRunner(options: RequestRunnerOptions): RequestRunner {
  const counts = new Map<string, number>();
  let retries = 0;
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const random = options.random ?? Math.random;
  return {
    run(operation, attempt, runOptions = {}) {
      const timeoutMs = runOptions.timeoutMs ?? options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
      return withRetry(
        async () => {
          counts.set(operation, (counts.get(operation) ?? 0) + 1);
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), timeoutMs);
          try {
            return await attempt(controller.signal);
          } catch (error) {
            // The SDK reports an aborted request as AbortError, which is terminal; ours is a timeout.
            if (controller.signal.aborted) throw attemptTimeout(operation, timeoutMs, error);
            throw error;
          } finally {
            clearTimeout(timer);
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
          },
        },
      );
    },
    counts: () => Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    retries: () => retries,
  };
}

function attemptTimeout(operation: string, timeoutMs: number, cause: unknown): Error {
  const error = new Error(`${operation} did not complete within ${timeoutMs} ms`, { cause });
  // The SDK's classifier treats TimeoutError as transient, so the attempt is retried.
  error.name = 'TimeoutError';
  return error;
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
  if (error instanceof FrontendOpsError) return error;
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

export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
