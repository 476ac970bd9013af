import { randomUUID } from 'node:crypto';
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  type CreateInvalidationCommandOutput,
  GetInvalidationCommand,
  type GetInvalidationCommandOutput,
  type Invalidation,
  waitUntilInvalidationCompleted,
} from '@aws-sdk/client-cloudfront';
import { cloudFrontClientEndpoint } from '../aws/endpoint.js';
import { createRequestRunner, type RequestRunner, realSleep } from '../deploy/requests.js';
import { endpointUnreachable, SERVICES, type WaitEvent } from '../errors/endpoint.js';
import { FrontendOpsError, isFrontendOpsError } from '../errors.js';
import { type InvalidationResult, type Invalidator, PROBE_INVALIDATION_ID } from './invalidator.js';
import { normalizeInvalidationPaths } from './paths.js';
import { CLOUDFRONT_POLL_DELAY, LOCAL_POLL_DELAY, type PollDelay } from './poll-delay.js';

export { CLOUDFRONT_POLL_DELAY, LOCAL_POLL_DELAY, type PollDelay };

/** One invalidation as CloudFront reports it. */
export interface InvalidationDetails extends InvalidationResult {
  /** ISO 8601. */
  createTime: string;
}

export interface CloudFrontInvalidator extends Invalidator {
  readonly distributionId: string;
  /** The current state of one of this distribution's invalidations. */
  get(invalidationId: string): Promise<InvalidationDetails>;
}

/** CreateInvalidation attempts when CloudFront answers TooManyInvalidationsInProgress. */
export const CREATE_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 30_000;

export interface CloudFrontInvalidatorOptions {
  client: CloudFrontClient;
  distributionId: string;
  poll?: PollDelay;
  createAttempts?: number;
  backoffBaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  callerReference?: () => string;
  /** The SDK waiter; injectable so a test can drive timeouts without waiting for them. */
  waitUntilCompleted?: typeof waitUntilInvalidationCompleted;
  /**
   * Per-attempt timeout and total deadline of each CloudFront API request (defaults: the request
   * runner's). A dead API endpoint fails with ENDPOINT_UNREACHABLE within the deadline, during the
   * wait too, instead of being polled until `maxWaitSeconds`.
   */
  attemptTimeoutMs?: number;
  deadlineMs?: number;
  /** Told what is being waited for while the API does not answer (progress output). */
  onWait?: (event: WaitEvent) => void;
}

const INVALIDATION_ID = /^[A-Z0-9]{1,64}$/;

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function status(invalidationId: string, value: string | undefined): 'InProgress' | 'Completed' {
  if (value === 'InProgress' || value === 'Completed') return value;
  throw new FrontendOpsError(
    'INVALIDATION_FAILED',
    `invalidation ${invalidationId} has unknown status ${JSON.stringify(value)}`,
  );
}

function details(invalidation: Invalidation | undefined, distributionId: string): InvalidationDetails {
  const id = invalidation?.Id;
  if (id === undefined) {
    throw new FrontendOpsError(
      'INVALIDATION_FAILED',
      `CloudFront returned no invalidation for ${distributionId}`,
    );
  }
  return {
    invalidationId: id,
    status: status(id, invalidation?.Status),
    paths: invalidation?.InvalidationBatch?.Paths?.Items ?? [],
    createTime: (invalidation?.CreateTime ?? new Date(0)).toISOString(),
  };
}

/** Maps a CloudFront API error to our codes; the SDK's messages carry no credentials. */
function apiFailure(error: unknown, distributionId: string, action: string): FrontendOpsError {
  const unreachable = endpointUnreachable(error, {
    service: SERVICES.cloudfront,
    action: `trying to ${action} on ${distributionId}`,
  });
  if (unreachable) return unreachable;
  const name = errorName(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'InvalidArgument' || name === 'BatchTooLarge' || name === 'InconsistentQuantities') {
    return new FrontendOpsError(
      'INVALIDATION_REJECTED',
      `CloudFront refused to ${action}: ${name}: ${message}`,
      {
        cause: error,
      },
    );
  }
  const hint =
    name === 'AccessDenied'
      ? 'The credentials need cloudfront:CreateInvalidation and cloudfront:GetInvalidation on this distribution (the stack’s deployer role).'
      : name === 'NoSuchDistribution'
        ? 'The stack output distributionId names no distribution: run `pulumi up` on the hosting stack.'
        : undefined;
  return new FrontendOpsError(
    'INVALIDATION_FAILED',
    `CloudFront failed to ${action} on ${distributionId}: ${name}: ${message}`,
    { ...(hint === undefined ? {} : { hint }), cause: error, data: { distributionId, error: name } },
  );
}

/** The waiter reports what it saw in a JSON message; keep the response summary, drop the rest. */
function observedResponses(error: unknown): Record<string, number> | undefined {
  try {
    const parsed = JSON.parse((error as Error).message) as { observedResponses?: Record<string, number> };
    return parsed.observedResponses;
  } catch {
    return undefined;
  }
}

/**
 * The CloudFront implementation of the engine's `Invalidator` (and of `invalidate_cdn`): validates and
 * collapses paths, retries TooManyInvalidationsInProgress with jittered exponential backoff (the SDK
 * retries throttling and 5xx itself), and waits with the SDK waiter under an explicit maximum.
 */
export function createCloudFrontInvalidator(options: CloudFrontInvalidatorOptions): CloudFrontInvalidator {
  const {
    client,
    distributionId,
    poll = CLOUDFRONT_POLL_DELAY,
    createAttempts = CREATE_ATTEMPTS,
    backoffBaseMs = BACKOFF_BASE_MS,
    sleep = realSleep,
    random = Math.random,
    callerReference = () => `frontendops-${randomUUID()}`,
    waitUntilCompleted = waitUntilInvalidationCompleted,
  } = options;
  // The client is built with maxAttempts 1 (aws/clients.ts): throttling, 5xx and dead endpoints are
  // retried here, under the same rules and deadline as the engine's S3 requests.
  const runner: RequestRunner = createRequestRunner({
    sleep,
    random,
    endpoint: { service: SERVICES.cloudfront, url: cloudFrontClientEndpoint(client) },
    ...(options.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: options.attemptTimeoutMs }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
  });

  async function create(paths: string[]): Promise<InvalidationDetails> {
    // One reference for every attempt: if a "failed" attempt did reach CloudFront, the retry is the
    // same batch and CloudFront returns the existing invalidation instead of creating a second one.
    const reference = callerReference();
    for (let attempt = 1; ; attempt += 1) {
      let result: CreateInvalidationCommandOutput;
      try {
        result = await runner.run('CreateInvalidation', (abortSignal) =>
          client.send(
            new CreateInvalidationCommand({
              DistributionId: distributionId,
              InvalidationBatch: {
                CallerReference: reference,
                Paths: { Quantity: paths.length, Items: paths },
              },
            }),
            { abortSignal },
          ),
        );
      } catch (error) {
        if (isFrontendOpsError(error)) throw error;
        if (errorName(error) !== 'TooManyInvalidationsInProgress') {
          throw apiFailure(error, distributionId, 'create an invalidation');
        }
        if (attempt >= createAttempts) {
          throw new FrontendOpsError(
            'INVALIDATION_FAILED',
            `CloudFront still had too many invalidations in progress on ${distributionId} after ${attempt} attempts`,
            {
              hint: 'Wait for the running invalidations to complete, or invalidate "/*" instead of many paths.',
              cause: error,
              data: { distributionId, attempts: attempt },
            },
          );
        }
        // Full jitter: spreads concurrent deployers apart instead of retrying in lockstep.
        await sleep(Math.round(random() * Math.min(BACKOFF_MAX_MS, backoffBaseMs * 2 ** (attempt - 1))));
        continue;
      }
      return details(result.Invalidation, distributionId);
    }
  }

  async function waitFor(invalidationId: string, maxWaitSeconds: number): Promise<void> {
    // The waiter requires minDelay < maxWaitTime and maxDelay >= minDelay.
    const minDelay = Math.min(poll.minSeconds, maxWaitSeconds / 2);
    const maxDelay = Math.max(minDelay, Math.min(poll.maxSeconds, maxWaitSeconds));
    // The waiter treats every failed poll as "try again" until maxWaitSeconds. Its polls go through
    // the runner instead, and an API that stopped answering stops the wait at once.
    const stop = new AbortController();
    let unreachable: FrontendOpsError | undefined;
    const polling = {
      send: (command: GetInvalidationCommand) =>
        runner
          .run('GetInvalidation', (abortSignal) => client.send(command, { abortSignal }))
          .catch((error: unknown) => {
            if (isFrontendOpsError(error, 'ENDPOINT_UNREACHABLE')) {
              unreachable ??= error;
              stop.abort();
            }
            throw error;
          }),
    };
    try {
      await waitUntilCompleted(
        // The waiter only calls `send` with GetInvalidation commands.
        {
          client: polling as unknown as CloudFrontClient,
          maxWaitTime: maxWaitSeconds,
          minDelay,
          maxDelay,
          abortSignal: stop.signal,
        },
        { DistributionId: distributionId, Id: invalidationId },
      );
    } catch (error) {
      if (unreachable !== undefined) throw unreachable;
      const observed = observedResponses(error);
      const dropped = endpointUnreachable(error, {
        service: SERVICES.cloudfront,
        action: `waiting for invalidation ${invalidationId} on ${distributionId}`,
      });
      if (dropped) throw dropped;
      if (errorName(error) === 'TimeoutError') {
        throw new FrontendOpsError(
          'INVALIDATION_TIMEOUT',
          `invalidation ${invalidationId} on ${distributionId} did not complete within ${maxWaitSeconds} s`,
          {
            hint: 'CloudFront keeps working on it and the site follows when it completes; allow a longer invalidation.maxWaitSeconds in the config.',
            cause: error,
            data: { invalidationId, distributionId, maxWaitSeconds, ...(observed ? { observed } : {}) },
          },
        );
      }
      throw new FrontendOpsError(
        'INVALIDATION_FAILED',
        `waiting for invalidation ${invalidationId} on ${distributionId} failed: ${errorName(error) ?? 'Error'}: ${(error as Error).message}`,
        { cause: error, data: { invalidationId, distributionId, ...(observed ? { observed } : {}) } },
      );
    }
  }

  const api: CloudFrontInvalidator = {
    distributionId,

    async invalidate(paths, { wait, maxWaitSeconds }) {
      if (!Number.isFinite(maxWaitSeconds) || maxWaitSeconds <= 0) {
        throw new FrontendOpsError(
          'BAD_INPUT',
          `maxWaitSeconds must be a positive number, got ${maxWaitSeconds}`,
        );
      }
      const batch = normalizeInvalidationPaths(paths);
      const created = await create(batch);
      if (!wait || created.status === 'Completed') {
        return { invalidationId: created.invalidationId, status: created.status, paths: batch };
      }
      await waitFor(created.invalidationId, maxWaitSeconds);
      return { invalidationId: created.invalidationId, status: 'Completed', paths: batch };
    },

    async probe() {
      try {
        await api.get(PROBE_INVALIDATION_ID);
      } catch (error) {
        // "No such invalidation" is CloudFront answering: reachable, and the credentials may read.
        if (error instanceof FrontendOpsError && error.code === 'INVALIDATION_NOT_FOUND') return;
        throw error;
      }
    },

    async get(invalidationId) {
      if (!INVALIDATION_ID.test(invalidationId)) {
        throw new FrontendOpsError(
          'BAD_INPUT',
          `${JSON.stringify(invalidationId.slice(0, 80))} is not an invalidation id`,
          {
            hint: 'Pass an invalidation id exactly as CloudFront returned it (upper-case letters and digits).',
          },
        );
      }
      let result: GetInvalidationCommandOutput;
      try {
        result = await runner.run('GetInvalidation', (abortSignal) =>
          client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }), {
            abortSignal,
          }),
        );
      } catch (error) {
        if (isFrontendOpsError(error)) throw error;
        if (errorName(error) === 'NoSuchInvalidation') {
          throw new FrontendOpsError(
            'INVALIDATION_NOT_FOUND',
            `distribution ${distributionId} has no invalidation ${invalidationId}`,
            { hint: "Use an invalidation id that this stack's distribution returned.", cause: error },
          );
        }
        throw apiFailure(error, distributionId, `read invalidation ${invalidationId}`);
      }
      return details(result.Invalidation, distributionId);
    },
  };
  return api;
}
