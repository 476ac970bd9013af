import { describe, expect, it } from 'vitest';
import {
  displayEndpoint,
  endpointUnreachable,
  isConnectFailure,
  networkFailureOf,
  waitingMessage,
} from '../../../agent/src/net/unreachable.js';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('networkFailureOf', () => {
  it.each([
    ['ECONNREFUSED', withCode('ECONNREFUSED'), 'refused'],
    ['ENOTFOUND', withCode('ENOTFOUND'), 'dns'],
    ['EAI_AGAIN', withCode('EAI_AGAIN'), 'dns'],
    ['ENETUNREACH', withCode('ENETUNREACH'), 'no-route'],
    ['ETIMEDOUT', withCode('ETIMEDOUT'), 'connect-timeout'],
    ['undici connect timeout', withCode('UND_ERR_CONNECT_TIMEOUT'), 'connect-timeout'],
    ['undici headers timeout', withCode('UND_ERR_HEADERS_TIMEOUT'), 'no-response'],
    ['ECONNRESET', withCode('ECONNRESET'), 'reset'],
    ['socket hang up (no code)', new Error('socket hang up'), 'reset'],
    [
      'the smithy connect timeout',
      new Error('the request socket did not establish a connection with the server within 3000 ms'),
      'connect-timeout',
    ],
    [
      'fetch failed with a cause',
      new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }),
      'refused',
    ],
    ['an AggregateError of addresses', new AggregateError([withCode('ECONNREFUSED')], 'x'), 'refused'],
  ])('%s → %s', (_name, error, failure) => {
    expect(networkFailureOf(error)).toBe(failure);
  });

  it('an error with an HTTP status was an answer, whatever its code says', () => {
    const answered = Object.assign(withCode('ECONNRESET'), { $metadata: { httpStatusCode: 503 } });
    expect(networkFailureOf(answered)).toBeUndefined();
    expect(networkFailureOf(new Error('AccessDenied'))).toBeUndefined();
    expect(networkFailureOf('a string')).toBeUndefined();
  });

  it('connect failures are the ones before a connection exists', () => {
    expect(['refused', 'dns', 'no-route', 'connect-timeout'].every((f) => isConnectFailure(f as never))).toBe(
      true,
    );
    expect(isConnectFailure('no-response')).toBe(false);
    expect(isConnectFailure('reset')).toBe(false);
  });
});

describe('naming endpoints', () => {
  it('never prints user info, a query string (a signature) or a fragment', () => {
    expect(displayEndpoint('https://user:secret@bucket.s3.amazonaws.com/key?X-Amz-Signature=abc#f')).toBe(
      'https://bucket.s3.amazonaws.com/key',
    );
    expect(displayEndpoint('http://127.0.0.1:4566/')).toBe('http://127.0.0.1:4566');
    expect(displayEndpoint('127.0.0.1:4566')).toBe('127.0.0.1:4566');
  });

  it('ENDPOINT_UNREACHABLE carries the endpoint and service in data, and a hint by where it is', () => {
    const local = endpointUnreachable({
      service: 'cloudfront',
      endpoint: 'http://127.0.0.1:4568',
      operation: 'CreateInvalidation',
      failure: 'refused',
      attempts: 3,
      elapsedMs: 412,
    });
    expect(local.message).toBe(
      'the CloudFront API at http://127.0.0.1:4568 refused the connection (CreateInvalidation; 3 attempts in 0.4 s)',
    );
    expect(local.hint).toMatch(/frontendops sandbox start/);
    expect(local.data).toMatchObject({
      service: 'cloudfront',
      endpoint: 'http://127.0.0.1:4568',
      reason: 'refused',
    });
    const remote = endpointUnreachable({
      service: 's3',
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      operation: 'GetObject',
      failure: 'dns',
      attempts: 3,
      elapsedMs: 20,
    });
    expect(remote.hint).toMatch(/frontendops doctor/);
    expect(remote.hint).not.toMatch(/sandbox/);
  });

  it('the waiting line', () => {
    expect(
      waitingMessage({
        service: 's3',
        endpoint: 'http://127.0.0.1:4566',
        operation: 'ListObjectsV2',
        attempt: 2,
        maxAttempts: 3,
        elapsedMs: 6_000,
      }),
    ).toBe('waiting for S3 at http://127.0.0.1:4566 (ListObjectsV2, attempt 2/3, 6 s)');
  });
});
