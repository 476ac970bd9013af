import {
  DEFAULT_RETRY_DELAY_BASE,
  isServerError,
  isThrottlingError,
  isTransientError,
  MAXIMUM_RETRY_DELAY,
  THROTTLING_RETRY_DELAY_BASE,
} from '@smithy/core/retry';
import { isConnectFailure, type NetworkFailure } from '../errors/endpoint.js';

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
  /** Set when the attempt got no answer at all (see `UnansweredLimits`). */
  failure?: NetworkFailure;
  /** How many attempts this kind of failure may have, when it is limited more tightly than the policy. */
  maxAttempts?: number;
  /** Milliseconds since the first attempt began. */
  elapsedMs?: number;
}

/**
 * Limits for attempts that got no HTTP answer at all, so that a dead endpoint fails in seconds
 * instead of after every attempt of the policy has timed out:
 * - a connection that cannot be made (refused, DNS, no route, connect timeout) is tried
 *   `connectAttempts` times in all, with the policy's short delays;
 * - an attempt that connected but was not answered within its timeout is tried `silentAttempts` times;
 * - no attempt after an unanswered one begins once `deadlineMs` has passed since the first attempt,
 *   and each such attempt's timeout is cut to what is left of it.
 * Errors the endpoint did answer (throttling, 5xx) are retried by the policy alone: the server is alive.
 */
export interface UnansweredLimits {
  now: () => number;
  deadlineMs: number;
  connectAttempts: number;
  silentAttempts: number;
  /** The network failure behind an error, or undefined when the endpoint answered. */
  classify: (error: unknown) => NetworkFailure | undefined;
  /** The error thrown when the limits are reached (ENDPOINT_UNREACHABLE, naming the endpoint). */
  giveUp: (info: GiveUpInfo) => Error | Promise<Error>;
}

export interface GiveUpInfo {
  failure: NetworkFailure;
  attempts: number;
  elapsedMs: number;
  error: unknown;
}

export interface RetryOptions {
  operation: string;
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onRetry?: (event: RetryEvent) => void;
  unanswered?: UnansweredLimits;
}

/** What an attempt is told: its index, and the time left for it when a deadline applies. */
export interface AttemptContext {
  index: number;
  /** Milliseconds left before the deadline for unanswered attempts; undefined when none applies. */
  remainingMs?: number;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or attempts run out; rethrows the
 * last error unchanged (callers inspect S3 error names such as PreconditionFailed), except that an
 * endpoint that never answered within `unanswered`'s limits ends in `unanswered.giveUp`.
 */
export async function withRetry<T>(
  attempt: (index: number, context: AttemptContext) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const limits = options.unanswered;
  const started = limits?.now() ?? 0;
  let connectFailures = 0;
  let silentFailures = 0;
  let everAnswered = false;
  let lastUnanswered = false;
  for (let index = 0; ; index += 1) {
    const context: AttemptContext = { index };
    if (limits !== undefined && lastUnanswered) {
      context.remainingMs = Math.max(1, limits.deadlineMs - (limits.now() - started));
    }
    try {
      return await attempt(index, context);
    } catch (error) {
      // A reset after the server did answer once is that server failing, not an unreachable endpoint.
      const classified = limits?.classify(error);
      const failure = classified === 'reset' && everAnswered ? undefined : classified;
      if (limits !== undefined && failure !== undefined) {
        lastUnanswered = true;
        const elapsedMs = limits.now() - started;
        const connect = isConnectFailure(failure);
        if (connect) connectFailures += 1;
        else if (failure === 'no-response') silentFailures += 1;
        const limit = connect
          ? limits.connectAttempts
          : failure === 'no-response'
            ? limits.silentAttempts
            : options.policy.maxAttempts;
        const used = connect ? connectFailures : failure === 'no-response' ? silentFailures : index + 1;
        const delayMs = backoffDelayMs(index, 'TRANSIENT', options.policy, options.random);
        const outOfAttempts = used >= limit || index + 1 >= options.policy.maxAttempts;
        if (outOfAttempts || elapsedMs + delayMs >= limits.deadlineMs) {
          throw await limits.giveUp({ failure, attempts: index + 1, elapsedMs, error });
        }
        options.onRetry?.({
          operation: options.operation,
          attempt: index + 1,
          errorType: 'TRANSIENT',
          errorName: asErrorLike(error).name ?? 'Error',
          delayMs,
          failure,
          maxAttempts: Math.min(limit, options.policy.maxAttempts),
          elapsedMs,
        });
        await options.sleep(delayMs);
        continue;
      }
      if (limits !== undefined) {
        everAnswered = true;
        lastUnanswered = false;
      }
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
