import { describe, expect, it } from 'vitest';
import { copyAllowanceMs } from '../../../agent/src/deploy/copy.js';
import {
  createRequestRunner,
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_REQUEST_DEADLINE_MS,
  type RequestRunnerOptions,
} from '../../../agent/src/deploy/requests.js';
import { type WaitEvent, waitingMessage } from '../../../agent/src/errors/endpoint.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { s3Error } from '../../support/fake-s3.js';
import { rejectionOf } from '../../support/rejection.js';

/**
 * The regression behind these tests: an S3 endpoint that accepted connections and never answered kept
 * the CLI silent for 487 s (60 s × 8 attempts). Everything runs on a virtual clock: the assertions are
 * on the deadline logic (attempts, timeouts, virtual time), never on wall-clock time.
 */

const ENDPOINT = 'http://127.0.0.1:4566';

function runnerOn(clock: FakeClock, extra: Partial<RequestRunnerOptions> = {}) {
  const waits: WaitEvent[] = [];
  const runner = createRequestRunner({
    sleep: clock.sleep,
    now: clock.now,
    timers: clock.timers,
    random: () => 0.5,
    endpoint: { service: 's3', url: ENDPOINT },
    onWait: (event) => waits.push(event),
    ...extra,
  });
  return { runner, waits };
}

/** An attempt that is never answered: it ends only when the runner aborts it, as the SDK does. */
function silent(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener(
      'abort',
      () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
      {
        once: true,
      },
    );
  });
}

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {
    code: 'ECONNREFUSED',
    name: 'TimeoutError',
    address: '127.0.0.1',
    port: 4566,
  });

describe('regression: an S3 endpoint that accepts and never answers kept the CLI silent for 487 s', () => {
  it('fails with ENDPOINT_UNREACHABLE naming the endpoint within the 25 s deadline (was 8 × 60 s)', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    const error = await rejectionOf(clock.run(runner.run('GetObject', silent)));
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toBe(
      `S3 at ${ENDPOINT} did not answer within 10 s (ETIMEDOUT); 3 attempts of GetObject in 25 s`,
    );
    expect(error.hint).toMatch(/frontendops doctor/);
    expect(error.data).toEqual({
      service: 's3',
      endpoint: ENDPOINT,
      operation: 'GetObject',
      reason: 'ETIMEDOUT',
      kind: 'no-response',
      attempts: 3,
      elapsedMs: DEFAULT_REQUEST_DEADLINE_MS,
      timeoutMs: DEFAULT_ATTEMPT_TIMEOUT_MS,
      deadlineMs: DEFAULT_REQUEST_DEADLINE_MS,
    });
    // 10 s + 10 s + what is left of the deadline: the third attempt is cut to the deadline.
    expect(clock.elapsed()).toBe(DEFAULT_REQUEST_DEADLINE_MS);
    expect(runner.counts()).toEqual({ GetObject: 3 });
  });

  it('says what it is waiting for while it waits: the endpoint, the attempt and the time', async () => {
    const clock = new FakeClock();
    const { runner, waits } = runnerOn(clock);
    await rejectionOf(clock.run(runner.run('ListObjectsV2', silent)));
    const lines = waits.map(waitingMessage);
    expect(lines[0]).toBe(`waiting for S3 at ${ENDPOINT} (ListObjectsV2, attempt 1/3, 2 s)`);
    expect(lines).toContain(`waiting for S3 at ${ENDPOINT} (ListObjectsV2, attempt 2/3, 10 s)`);
    expect(waits).toContainEqual(
      expect.objectContaining({ attempt: 3, maxAttempts: 3, failure: 'no-response' }),
    );
  });

  it('honours configured timeouts: 300 ms attempts under a 700 ms deadline', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock, { attemptTimeoutMs: 300, deadlineMs: 700 });
    const error = await rejectionOf(clock.run(runner.run('HeadObject', silent)));
    // 300 ms, a 50 ms pause, 300 ms: a third attempt could not begin before the deadline.
    expect(error.data).toMatchObject({ attempts: 2, timeoutMs: 300, deadlineMs: 700, elapsedMs: 650 });
    expect(clock.elapsed()).toBeLessThanOrEqual(700);
  });

  it('a silent attempt followed by an answer succeeds', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    let calls = 0;
    const result = await clock.run(
      runner.run('GetObject', (signal) => {
        calls += 1;
        return calls === 1 ? silent(signal) : Promise.resolve('answered');
      }),
    );
    expect(result).toBe('answered');
    expect(runner.retries()).toBe(1);
  });
});

describe('connection refused fails at once, naming the endpoint', () => {
  it('three quick attempts, then ENDPOINT_UNREACHABLE', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    const error = await rejectionOf(clock.run(runner.run('PutObject', () => Promise.reject(refused()))));
    expect(error.message).toMatch(
      new RegExp(
        `^S3 at ${ENDPOINT.replace(/[.]/g, '\\.')} refused the connection \\(ECONNREFUSED\\); 3 attempts of PutObject`,
      ),
    );
    expect(error.data).toMatchObject({ kind: 'refused', attempts: 3 });
    expect(clock.elapsed()).toBeLessThan(1_000);
    expect(runner.counts()).toEqual({ PutObject: 3 });
  });

  it('without a configured endpoint, the socket error’s address names it', async () => {
    const clock = new FakeClock();
    const runner = createRequestRunner({ sleep: clock.sleep, now: clock.now, timers: clock.timers });
    const error = await rejectionOf(clock.run(runner.run('PutObject', () => Promise.reject(refused()))));
    expect(error.data).toMatchObject({ endpoint: '127.0.0.1:4566', service: 's3' });
  });

  it.each([
    ['DNS', Object.assign(new Error('getaddrinfo ENOTFOUND s3.nowhere'), { code: 'ENOTFOUND' }), 'dns'],
    ['no route', Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' }), 'no-route'],
    [
      'connect timeout',
      Object.assign(
        new Error(
          '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.',
        ),
        { name: 'TimeoutError' },
      ),
      'connect-timeout',
    ],
  ])('%s is a connect failure: three attempts', async (_name, error, reason) => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    const thrown = await rejectionOf(clock.run(runner.run('GetObject', () => Promise.reject(error))));
    expect(thrown.data).toMatchObject({ kind: reason, attempts: 3 });
  });
});

describe('a live endpoint is not mistaken for a dead one', () => {
  it('a big copy that takes minutes is never cut short: its size adds to the timeout and the deadline', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    // 5 GB at the copy allowance's 20 MB/s: 256 s on top of the 10 s attempt timeout.
    const extraMs = copyAllowanceMs(5 * 1024 ** 3);
    expect(extraMs).toBe(256_000);
    const result = await clock.run(
      runner.run('CopyObject', () => clock.after(250_000, () => 'copied'), { extraMs }),
    );
    expect(result).toBe('copied');
    expect(runner.counts()).toEqual({ CopyObject: 1 });
  });

  it('a big copy on a dead endpoint still ends: within the deadline plus its allowance', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    const error = await rejectionOf(clock.run(runner.run('CopyObject', silent, { extraMs: 100_000 })));
    expect(error.data).toMatchObject({ attempts: 2, timeoutMs: 110_000, deadlineMs: 125_000 });
    expect(clock.elapsed()).toBeLessThanOrEqual(125_000);
  });

  it('a call with an absolute timeout longer than the deadline gets one full attempt', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    const error = await rejectionOf(clock.run(runner.run('MultipartUpload', silent, { timeoutMs: 120_000 })));
    expect(error.data).toMatchObject({ attempts: 1, deadlineMs: 120_000, timeoutMs: 120_000 });
  });

  it('a small copy keeps the short timeout: a dead endpoint fails within the 25 s deadline', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    const error = await rejectionOf(
      clock.run(runner.run('CopyObject', silent, { extraMs: copyAllowanceMs(40_000) })),
    );
    expect(error.data).toMatchObject({ attempts: 3, timeoutMs: 10_002 });
    expect(clock.elapsed()).toBeLessThanOrEqual(DEFAULT_REQUEST_DEADLINE_MS + 2);
  });

  it('throttling past the deadline keeps being retried (the server answers), up to the policy', async () => {
    const clock = new FakeClock();
    const { runner } = runnerOn(clock, { random: () => 1 });
    let calls = 0;
    const result = await clock.run(
      runner.run('CopyObject', async () => {
        calls += 1;
        if (calls < 7) throw s3Error('SlowDown', 503);
        return 'ok';
      }),
    );
    expect(result).toBe('ok');
    expect(clock.elapsed()).toBeGreaterThan(DEFAULT_REQUEST_DEADLINE_MS);
  });

  it('resets alone (never an answer) end as ENDPOINT_UNREACHABLE; resets after an answer stay S3 errors', async () => {
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const clock = new FakeClock();
    const { runner } = runnerOn(clock);
    const error = await rejectionOf(clock.run(runner.run('GetObject', () => Promise.reject(reset()))));
    expect(error.data).toMatchObject({ kind: 'reset', attempts: 8 });

    let calls = 0;
    const raw = await clock
      .run(
        runner.run('GetObject', () => {
          calls += 1;
          return Promise.reject(calls === 1 ? s3Error('InternalError', 500) : reset());
        }),
      )
      .catch((e: unknown) => e);
    expect(raw).not.toBeInstanceOf(FrontendOpsError);
    expect((raw as Error).message).toBe('socket hang up');
  });
});
