import {
  DEFAULT_RETRY_DELAY_BASE,
  isServerError,
  isThrottlingError,
  isTransientError,
  MAXIMUM_RETRY_DELAY,
  THROTTLING_RETRY_DELAY_BASE,
} from '@smithy/core/retry';

/**
 * The engine's retry layer. The S3 client is built with `maxAttempts: 1` (agent/src/aws/clients.ts) so
 * that every attempt passes through here, where it is counted and its delay comes from an injected
 * `sleep` (tests run without waiting). The decisions are the AWS SDK's own: its error classifiers
 * (`isThrottlingError`, `isTransientError`, `isServerError` from `@smithy/core/retry`, which the SDK's
 * standard retry mode uses) and its "full jitter" exponential backoff with its base delays and cap.
 * The difference from the SDK's StandardRetryStrategy: no client-wide retry quota (a deploy must
 * converge through a burst of throttling, bounded by attempts per request instead) and 5xx errors the
 * SDK calls non-transient are retried too, except 501 Not Implemented.
 */
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  throttlingBaseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  // At a 10% failure rate, eight attempts fail together once in 10^8 requests.
  maxAttempts: 8,
  baseDelayMs: DEFAULT_RETRY_DELAY_BASE,
  throttlingBaseDelayMs: THROTTLING_RETRY_DELAY_BASE,
  maxDelayMs: MAXIMUM_RETRY_DELAY,
};

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : { message: String(error) };
}

export function classifyError(error: unknown): RetryErrorType {
  const e = asErrorLike(error) as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return 'THROTTLING';
  if (isTransientError(e)) return 'TRANSIENT';
  // Node's message for a connection the server closed without answering; the code is usually
  // ECONNRESET (transient above), but a wrapped error may only keep the message.
  if (/socket hang up/i.test(asErrorLike(error).message ?? '')) return 'TRANSIENT';
  if (isServerError(e) && asErrorLike(error).$metadata?.httpStatusCode !== 501) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

export function isRetryableError(error: unknown): boolean {
  return classifyError(error) !== 'CLIENT_ERROR';
}

/** Full jitter: uniform in [0, min(cap, base * 2^attempt)) — the SDK's DefaultRetryBackoffStrategy. */
export function backoffDelayMs(
  retryIndex: number,
  type: RetryErrorType,
  policy: RetryPolicy,
  random: () => number,
): number {
  const base = type === 'THROTTLING' ? policy.throttlingBaseDelayMs : policy.baseDelayMs;
  return Math.floor(random() * Math.min(base * 2 ** retryIndex, policy.maxDelayMs));
}

export interface RetryEvent {
  operation: string;
  attempt: number;
  errorType: RetryErrorType;
  errorName: string;
  delayMs: number;
}

export interface RetryOptions {
  operation: string;
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or attempts run out; rethrows the
 * last error unchanged (callers inspect S3 error names such as PreconditionFailed).
 */
export async function withRetry<T>(
  attempt: (index: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let index = 0; ; index += 1) {
    try {
      return await attempt(index);
    } catch (error) {
      const type = classifyError(error);
      if (type === 'CLIENT_ERROR' || index + 1 >= options.policy.maxAttempts) throw error;
      const delayMs = backoffDelayMs(index, type, options.policy, options.random);
      options.onRetry?.({
        operation: options.operation,
        attempt: index + 1,
        errorType: type,
        errorName: asErrorLike(error).name ?? 'Error',
        delayMs,
      });
      await options.sleep(delayMs);
    }
  }
}
