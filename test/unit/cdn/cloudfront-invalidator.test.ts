import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  NoSuchInvalidation,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createCloudFrontInvalidator } from '../../../agent/src/cdn/cloudfront-invalidator.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';

const DISTRIBUTION = 'E2ABCDEF123456';
const cloudfront = mockClient(CloudFrontClient);
const client = new CloudFrontClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});

function invalidation(id: string, status: string, paths: string[]) {
  return {
    Id: id,
    Status: status,
    CreateTime: new Date('2025-01-02T03:04:05Z'),
    InvalidationBatch: { CallerReference: 'ref', Paths: { Quantity: paths.length, Items: paths } },
  };
}

function refused() {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
}

function tooMany() {
  return new TooManyInvalidationsInProgress({ message: 'Processing your request', $metadata: {} });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isFrontendOpsError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a FrontendOpsError');
}

beforeEach(() => {
  cloudfront.reset();
});

describe('createCloudFrontInvalidator', () => {
  const sleep = vi.fn(async (_ms: number) => {});
  const base = {
    client,
    distributionId: DISTRIBUTION,
    sleep,
    random: () => 1,
    callerReference: () => 'frontendops-test-ref',
    poll: { minSeconds: 0.01, maxSeconds: 0.02 },
  };

  beforeEach(() => {
    sleep.mockClear();
  });

  it('creates one invalidation on the stack distribution with the normalized paths', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: invalidation('I1', 'InProgress', ['/', '/index.html']) });
    const result = await createCloudFrontInvalidator(base).invalidate(['/', '/index.html', '/'], {
      wait: false,
      maxWaitSeconds: 60,
    });
    expect(result).toEqual({ invalidationId: 'I1', status: 'InProgress', paths: ['/', '/index.html'] });
    const calls = cloudfront.commandCalls(CreateInvalidationCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      DistributionId: DISTRIBUTION,
      InvalidationBatch: {
        CallerReference: 'frontendops-test-ref',
        Paths: { Quantity: 2, Items: ['/', '/index.html'] },
      },
    });
  });

  it('refuses bad paths before calling CloudFront', async () => {
    const invalidator = createCloudFrontInvalidator(base);
    expect(await codeOf(invalidator.invalidate(['*'], { wait: false, maxWaitSeconds: 60 }))).toBe(
      'INVALIDATION_REJECTED',
    );
    const many = Array.from({ length: 3001 }, (_, i) => `/f${i}`);
    expect(await codeOf(invalidator.invalidate(many, { wait: false, maxWaitSeconds: 60 }))).toBe(
      'INVALIDATION_REJECTED',
    );
    expect(cloudfront.calls()).toHaveLength(0);
  });

  it('retries TooManyInvalidationsInProgress with growing backoff and the same CallerReference', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .rejectsOnce(tooMany())
      .rejectsOnce(tooMany())
      .resolves({ Invalidation: invalidation('I2', 'InProgress', ['/*']) });
    const result = await createCloudFrontInvalidator(base).invalidate(['/*'], {
      wait: false,
      maxWaitSeconds: 60,
    });
    expect(result.invalidationId).toBe('I2');
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([2000, 4000]);
    const references = cloudfront
      .commandCalls(CreateInvalidationCommand)
      .map((c) => c.args[0].input.InvalidationBatch?.CallerReference);
    expect(references).toEqual(['frontendops-test-ref', 'frontendops-test-ref', 'frontendops-test-ref']);
  });

  it('gives up with INVALIDATION_FAILED after the last attempt', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(tooMany());
    const invalidator = createCloudFrontInvalidator({ ...base, createAttempts: 3 });
    expect(await codeOf(invalidator.invalidate(['/*'], { wait: false, maxWaitSeconds: 60 }))).toBe(
      'INVALIDATION_FAILED',
    );
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(3);
  });

  it('does not retry other errors', async () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' });
    cloudfront.on(CreateInvalidationCommand).rejects(denied);
    expect(
      await codeOf(createCloudFrontInvalidator(base).invalidate(['/*'], { wait: false, maxWaitSeconds: 60 })),
    ).toBe('INVALIDATION_FAILED');
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('waits with the SDK waiter until Completed', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: invalidation('I3', 'InProgress', ['/*']) });
    cloudfront
      .on(GetInvalidationCommand)
      .resolvesOnce({ Invalidation: invalidation('I3', 'InProgress', ['/*']) })
      .resolves({ Invalidation: invalidation('I3', 'Completed', ['/*']) });
    const result = await createCloudFrontInvalidator(base).invalidate(['/*'], {
      wait: true,
      maxWaitSeconds: 30,
    });
    expect(result).toEqual({ invalidationId: 'I3', status: 'Completed', paths: ['/*'] });
    const polls = cloudfront.commandCalls(GetInvalidationCommand);
    expect(polls.length).toBe(2);
    expect(polls[0]?.args[0].input).toEqual({ DistributionId: DISTRIBUTION, Id: 'I3' });
  });

  it('passes an explicit maximum to the waiter and maps its timeout to INVALIDATION_TIMEOUT', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: invalidation('I4', 'InProgress', ['/*']) });
    const timeout = Object.assign(
      new Error(
        JSON.stringify({
          state: 'TIMEOUT',
          observedResponses: { '200: OK': 7 },
          reason: 'Waiter has timed out',
        }),
      ),
      { name: 'TimeoutError' },
    );
    const waiter = vi.fn().mockRejectedValue(timeout);
    const invalidator = createCloudFrontInvalidator({
      ...base,
      poll: { minSeconds: 5, maxSeconds: 30 },
      waitUntilCompleted: waiter,
    });
    const error = await invalidator
      .invalidate(['/*'], { wait: true, maxWaitSeconds: 4 })
      .catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'INVALIDATION_TIMEOUT')).toBe(true);
    expect((error as { data: Record<string, unknown> }).data).toMatchObject({
      invalidationId: 'I4',
      maxWaitSeconds: 4,
      observed: { '200: OK': 7 },
    });
    // minDelay is clamped below the maximum (the waiter refuses minDelay >= maxWaitTime).
    expect(waiter).toHaveBeenCalledWith(
      expect.objectContaining({ maxWaitTime: 4, minDelay: 2, maxDelay: 4 }),
      { DistributionId: DISTRIBUTION, Id: 'I4' },
    );
  });

  it('times out for real when CloudFront never completes (nothing swallowed)', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: invalidation('I5', 'InProgress', ['/*']) });
    cloudfront
      .on(GetInvalidationCommand)
      .resolves({ Invalidation: invalidation('I5', 'InProgress', ['/*']) });
    const invalidator = createCloudFrontInvalidator({ ...base, poll: { minSeconds: 0.05, maxSeconds: 0.1 } });
    expect(await codeOf(invalidator.invalidate(['/*'], { wait: true, maxWaitSeconds: 0.3 }))).toBe(
      'INVALIDATION_TIMEOUT',
    );
  });

  it('maps any other waiter failure to INVALIDATION_FAILED', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: invalidation('I6', 'InProgress', ['/*']) });
    const waiter = vi
      .fn()
      .mockRejectedValue(Object.assign(new Error('{"state":"ABORTED"}'), { name: 'AbortError' }));
    const invalidator = createCloudFrontInvalidator({ ...base, waitUntilCompleted: waiter });
    expect(await codeOf(invalidator.invalidate(['/*'], { wait: true, maxWaitSeconds: 10 }))).toBe(
      'INVALIDATION_FAILED',
    );
  });

  it('a CloudFront API that refuses connections is ENDPOINT_UNREACHABLE naming it, after three attempts', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(refused());
    const error = await createCloudFrontInvalidator(base)
      .invalidate(['/*'], { wait: true, maxWaitSeconds: 600 })
      .catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'ENDPOINT_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(
      /^the CloudFront API at https:\/\/cloudfront\.amazonaws\.com refused/,
    );
    expect((error as { data: unknown }).data).toMatchObject({
      service: 'cloudfront',
      operation: 'CreateInvalidation',
      kind: 'refused',
      attempts: 3,
    });
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(3);
  });

  it('an API that dies during the wait stops the wait at once instead of polling until maxWaitSeconds', async () => {
    cloudfront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: invalidation('I8', 'InProgress', ['/*']) });
    cloudfront.on(GetInvalidationCommand).rejects(refused());
    const error = await createCloudFrontInvalidator(base)
      .invalidate(['/*'], { wait: true, maxWaitSeconds: 3_600 })
      .catch((e: unknown) => e);
    expect(isFrontendOpsError(error, 'ENDPOINT_UNREACHABLE')).toBe(true);
    expect((error as { data: unknown }).data).toMatchObject({ operation: 'GetInvalidation', attempts: 3 });
    expect(cloudfront.commandCalls(GetInvalidationCommand)).toHaveLength(3);
  });

  it('get: reports an invalidation, INVALIDATION_NOT_FOUND for an unknown id, BAD_INPUT for a malformed one', async () => {
    cloudfront
      .on(GetInvalidationCommand, { DistributionId: DISTRIBUTION, Id: 'I7' })
      .resolves({ Invalidation: invalidation('I7', 'Completed', ['/index.html']) });
    cloudfront
      .on(GetInvalidationCommand, { DistributionId: DISTRIBUTION, Id: 'NOPE' })
      .rejects(
        new NoSuchInvalidation({ message: 'The specified invalidation does not exist.', $metadata: {} }),
      );
    const invalidator = createCloudFrontInvalidator(base);
    expect(await invalidator.get('I7')).toEqual({
      invalidationId: 'I7',
      status: 'Completed',
      paths: ['/index.html'],
      createTime: '2025-01-02T03:04:05.000Z',
    });
    expect(await codeOf(invalidator.get('NOPE'))).toBe('INVALIDATION_NOT_FOUND');
    expect(await codeOf(invalidator.get('../../x'))).toBe('BAD_INPUT');
  });
});
