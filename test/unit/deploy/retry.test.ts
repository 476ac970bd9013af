import { describe, expect, it } from 'vitest';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import {
  backoffDelayMs,
  classifyError,
  DEFAULT_RETRY_POLICY,
  withRetry,
} from '../../../agent/src/deploy/retry.js';
import { s3Error } from '../../support/fake-s3.js';

const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

describe('error classification (the SDK classifiers plus 5xx)', () => {
  it.each([
    ['SlowDown 503', s3Error('SlowDown', 503), 'THROTTLING'],
    ['429', s3Error('TooManyRequests', 429), 'THROTTLING'],
    ['InternalError 500', s3Error('InternalError', 500), 'TRANSIENT'],
    ['ServiceUnavailable 503', s3Error('ServiceUnavailable', 503), 'TRANSIENT'],
    ['ECONNRESET', reset(), 'TRANSIENT'],
    ['socket hang up without a code', new Error('socket hang up'), 'TRANSIENT'],
    ['a wrapped reset', Object.assign(new Error('wrapped'), { cause: reset() }), 'TRANSIENT'],
    ['507 Insufficient Storage', s3Error('InsufficientStorage', 507), 'SERVER_ERROR'],
    ['501 Not Implemented', s3Error('NotImplemented', 501), 'CLIENT_ERROR'],
    ['AccessDenied 403', s3Error('AccessDenied', 403), 'CLIENT_ERROR'],
    ['PreconditionFailed 412', s3Error('PreconditionFailed', 412), 'CLIENT_ERROR'],
    ['NoSuchKey 404', s3Error('NoSuchKey', 404), 'CLIENT_ERROR'],
  ])('%s → %s', (_name, error, type) => {
    expect(classifyError(error)).toBe(type);
  });
});

describe('jittered exponential backoff', () => {
  it('is uniform below base * 2^n, with a larger base for throttling, capped', () => {
    expect(backoffDelayMs(0, 'TRANSIENT', DEFAULT_RETRY_POLICY, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, 'TRANSIENT', DEFAULT_RETRY_POLICY, () => 0.5)).toBe(400);
    expect(backoffDelayMs(0, 'THROTTLING', DEFAULT_RETRY_POLICY, () => 0.5)).toBe(250);
    expect(backoffDelayMs(30, 'THROTTLING', DEFAULT_RETRY_POLICY, () => 1)).toBe(
      DEFAULT_RETRY_POLICY.maxDelayMs,
    );
    expect(backoffDelayMs(5, 'TRANSIENT', DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });
});

describe('withRetry', () => {
  it('retries retryable errors with the computed delays and returns the result', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw s3Error('SlowDown', 503);
        if (calls === 2) throw reset();
        return 'ok';
      },
      {
        operation: 'CopyObject',
        policy: DEFAULT_RETRY_POLICY,
        sleep: async (ms) => {
          slept.push(ms);
        },
        random: () => 0.5,
      },
    );
    expect(result).toBe('ok');
    expect(slept).toEqual([250, 100]);
  });

  it('rethrows a client error at once, unchanged', async () => {
    const error = s3Error('AccessDenied', 403);
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw error;
        },
        { operation: 'X', policy: DEFAULT_RETRY_POLICY, sleep: async () => {}, random: () => 0 },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw s3Error('InternalError', 500, `attempt ${calls}`);
        },
        {
          operation: 'X',
          policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 },
          sleep: async () => {},
          random: () => 0,
        },
      ),
    ).rejects.toThrow('attempt 3');
    expect(calls).toBe(3);
  });
});

describe('request runner', () => {
  it('counts every attempt by operation and the retries', async () => {
    const runner = createRequestRunner({ sleep: async () => {}, random: () => 0 });
    let n = 0;
    await runner.run('CopyObject', async () => {
      n += 1;
      if (n < 3) throw s3Error('SlowDown', 503);
    });
    await runner.run('PutObject', async () => {});
    expect(runner.counts()).toEqual({ CopyObject: 3, PutObject: 1 });
    expect(runner.retries()).toBe(2);
  });
});

describe('per-attempt timeout', () => {
  it('aborts a hung attempt and retries it as a TimeoutError', async () => {
    const runner = createRequestRunner({ sleep: async () => {}, random: () => 0, attemptTimeoutMs: 20 });
    let attempts = 0;
    const result = await runner.run('GetObject', (signal) => {
      attempts += 1;
      if (attempts > 1) return Promise.resolve('answered');
      // a request that never answers until aborted, like a dead connection
      return new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        );
      });
    });
    expect(result).toBe('answered');
    expect(runner.counts()).toEqual({ GetObject: 2 });
    expect(runner.retries()).toBe(1);
  });
});
