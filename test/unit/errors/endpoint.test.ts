import { describe, expect, it } from 'vitest';
import {
  connectionFailure,
  displayEndpoint,
  type EndpointContext,
  endpointUnreachable,
  explainUnreachable,
  isConnectFailure,
  SERVICES,
  unreachableError,
  waitingMessage,
  withAction,
} from '../../../agent/src/errors/endpoint.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';

/** Node's socket error as `net` raises it (and the AWS SDK passes it on). */
function socketError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:4566`), { code, syscall: 'connect', ...extra });
}

describe('connectionFailure', () => {
  it.each([
    ['ECONNREFUSED', 'refused the connection'],
    ['ENOTFOUND', 'has a host name that does not resolve'],
    ['ETIMEDOUT', 'did not answer in time'],
    ['ECONNRESET', 'dropped the connection'],
    ['EHOSTUNREACH', 'cannot be reached (no route to host)'],
    ['UND_ERR_CONNECT_TIMEOUT', 'did not accept the connection in time'],
  ])('recognises %s', (code, reason) => {
    expect(connectionFailure(socketError(code))).toMatchObject({ code, reason });
  });

  it('keeps the address the error names', () => {
    const refused = socketError('ECONNREFUSED', { address: '127.0.0.1', port: 4566 });
    expect(connectionFailure(refused)).toEqual({
      code: 'ECONNREFUSED',
      reason: 'refused the connection',
      kind: 'refused',
      address: '127.0.0.1:4566',
    });
    const unknown = socketError('ENOTFOUND', { hostname: 's3.nowhere.example' });
    expect(connectionFailure(unknown)?.address).toBe('s3.nowhere.example');
  });

  it('looks inside fetch failed (undici puts the socket error in cause)', () => {
    const failed = new TypeError('fetch failed', {
      cause: socketError('ECONNREFUSED', { address: '127.0.0.1', port: 8080 }),
    });
    expect(connectionFailure(failed)).toMatchObject({ code: 'ECONNREFUSED', address: '127.0.0.1:8080' });
  });

  it('looks inside an AggregateError of several addresses (localhost on IPv4 and IPv6)', () => {
    const both = Object.assign(
      new AggregateError([
        socketError('ECONNREFUSED', { address: '::1', port: 9000 }),
        socketError('ECONNREFUSED', { address: '127.0.0.1', port: 9000 }),
      ]),
      { code: 'ECONNREFUSED' },
    );
    expect(connectionFailure(both)).toMatchObject({ code: 'ECONNREFUSED', address: '::1:9000' });
    const bare = new AggregateError([socketError('ECONNREFUSED')]);
    expect(connectionFailure(bare)?.code).toBe('ECONNREFUSED');
  });

  it('reads a bare "socket hang up" as a dropped connection', () => {
    expect(connectionFailure(new Error('socket hang up'))).toMatchObject({ code: 'ECONNRESET' });
  });

  it('ignores errors from an endpoint that answered, and survives a cyclic cause', () => {
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(connectionFailure(denied)).toBeUndefined();
    expect(connectionFailure('ECONNREFUSED')).toBeUndefined();
    expect(connectionFailure(undefined)).toBeUndefined();
    const cyclic = new Error('loop') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    expect(connectionFailure(cyclic)).toBeUndefined();
  });
});

describe('the kind of failure (how often it is worth trying again)', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ENETUNREACH', 'no-route'],
    ['ETIMEDOUT', 'connect-timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect-timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'no-response'],
    ['ECONNRESET', 'reset'],
    ['UND_ERR_SOCKET', 'reset'],
  ])('%s → %s', (code, kind) => {
    expect(connectionFailure(socketError(code))?.kind).toBe(kind);
  });

  it("recognises @smithy/node-http-handler's connect timeout, which has no code", () => {
    const error = Object.assign(
      new Error(
        '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.',
      ),
      { name: 'TimeoutError' },
    );
    expect(connectionFailure(error)).toMatchObject({ kind: 'connect-timeout', code: 'ETIMEDOUT' });
  });

  it('an error with an HTTP status was an answer, whatever code it carries', () => {
    const answered = Object.assign(socketError('ECONNRESET'), { $metadata: { httpStatusCode: 503 } });
    expect(connectionFailure(answered)).toBeUndefined();
  });

  it('connect failures are the ones before a connection exists', () => {
    expect(['refused', 'dns', 'no-route', 'connect-timeout'].every((k) => isConnectFailure(k as never))).toBe(
      true,
    );
    expect(isConnectFailure('no-response')).toBe(false);
    expect(isConnectFailure('reset')).toBe(false);
  });
});

describe('naming endpoints after retries', () => {
  it('never prints user info, a query string (a signature) or a fragment', () => {
    expect(displayEndpoint('https://user:pw@bucket.s3.amazonaws.com/key?X-Amz-Signature=abc#f')).toBe(
      'https://bucket.s3.amazonaws.com/key',
    );
    expect(displayEndpoint('http://127.0.0.1:4566/')).toBe('http://127.0.0.1:4566');
    expect(displayEndpoint('127.0.0.1:4566')).toBe('127.0.0.1:4566');
  });

  it('says what was tried: the request, the attempts, the time, the timeout and deadline in data', () => {
    const error = unreachableError(
      {
        service: SERVICES.s3,
        endpoint: 'http://127.0.0.1:4566/',
        operation: 'GetObject',
        attempts: 3,
        elapsedMs: 25_000,
        timeoutMs: 10_000,
        deadlineMs: 25_000,
      },
      { code: 'ETIMEDOUT', reason: 'did not answer in time', kind: 'no-response' },
    );
    expect(error.message).toBe(
      'S3 at http://127.0.0.1:4566 did not answer within 10 s (ETIMEDOUT); 3 attempts of GetObject in 25 s',
    );
    expect(error.data).toEqual({
      service: 's3',
      endpoint: 'http://127.0.0.1:4566',
      reason: 'ETIMEDOUT',
      kind: 'no-response',
      operation: 'GetObject',
      attempts: 3,
      elapsedMs: 25_000,
      timeoutMs: 10_000,
      deadlineMs: 25_000,
    });
  });

  it('learns what was being done from the layer that knows it, once', () => {
    const raised = unreachableError(
      {
        service: SERVICES.s3,
        endpoint: 'http://127.0.0.1:4566',
        operation: 'GetObject',
        attempts: 3,
        elapsedMs: 412,
      },
      { code: 'ECONNREFUSED', reason: 'refused the connection', kind: 'refused' },
    );
    const told = withAction(raised, 'reading s3://a/releases/prod/current.json');
    expect(told.message).toBe(
      'S3 at http://127.0.0.1:4566 refused the connection (ECONNREFUSED) while reading s3://a/releases/prod/current.json; 3 attempts of GetObject in 0.4 s',
    );
    expect(told.data).toMatchObject({ action: 'reading s3://a/releases/prod/current.json', attempts: 3 });
    expect(withAction(told, 'something else')).toBe(told);
    const other = new FrontendOpsError('S3_ERROR', 'x');
    expect(withAction(other, 'y')).toBe(other);
  });

  it('the waiting line', () => {
    expect(
      waitingMessage({
        service: SERVICES.s3,
        endpoint: 'http://127.0.0.1:4566',
        operation: 'ListObjectsV2',
        attempt: 2,
        maxAttempts: 3,
        elapsedMs: 6_000,
      }),
    ).toBe('waiting for S3 at http://127.0.0.1:4566 (ListObjectsV2, attempt 2/3, 6 s)');
  });
});

describe('endpointUnreachable', () => {
  it('names the service, its endpoint, the reason and what was being done', () => {
    const error = endpointUnreachable(socketError('ECONNREFUSED', { address: '127.0.0.1', port: 4566 }), {
      service: SERVICES.s3,
      action: 'reading s3://artifacts/releases/prod/current.json',
    });
    expect(error).toBeInstanceOf(FrontendOpsError);
    expect(error?.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error?.message).toBe(
      'S3 at 127.0.0.1:4566 refused the connection (ECONNREFUSED) while reading s3://artifacts/releases/prod/current.json',
    );
    expect(error?.data).toEqual({
      service: 's3',
      endpoint: '127.0.0.1:4566',
      reason: 'ECONNREFUSED',
      kind: 'refused',
      action: 'reading s3://artifacts/releases/prod/current.json',
    });
    expect(error?.hint).toMatch(/frontendops doctor/);
  });

  it('prefers the endpoint the raise site knows', () => {
    const error = endpointUnreachable(new TypeError('fetch failed', { cause: socketError('ECONNREFUSED') }), {
      service: SERVICES.edge,
      endpoint: 'http://127.0.0.1:8081',
    });
    expect(error?.message).toBe('the site at http://127.0.0.1:8081 refused the connection (ECONNREFUSED)');
  });

  it('returns undefined for anything but a connection failure, and keeps an existing one', () => {
    expect(endpointUnreachable(new Error('NoSuchBucket'), { service: SERVICES.s3 })).toBeUndefined();
    const existing = new FrontendOpsError('ENDPOINT_UNREACHABLE', 'already classified');
    expect(endpointUnreachable(existing, { service: SERVICES.s3 })).toBe(existing);
  });
});

describe('explainUnreachable', () => {
  const refused = () =>
    endpointUnreachable(socketError('ECONNREFUSED', { address: '127.0.0.1', port: 4566 }), {
      service: SERVICES.s3,
      action: 'listing s3://b/',
    }) as FrontendOpsError;
  const sandboxContext = (
    sandbox: Partial<NonNullable<EndpointContext['sandbox']>> = {},
  ): EndpointContext => ({
    configPath: '/work/.sandbox/frontendops.config.json',
    region: 'us-east-1',
    endpoints: { s3: 'http://127.0.0.1:4566', cloudfront: 'http://127.0.0.1:4568' },
    sandbox: { dir: '.sandbox', persist: false, demo: false, ...sandbox },
  });

  it('says how to start a stopped sandbox, with its directory, and shows the configured URL', () => {
    const explained = explainUnreachable(refused(), sandboxContext());
    expect(explained.message).toBe(
      'S3 at http://127.0.0.1:4566 refused the connection (ECONNREFUSED) while listing s3://b/',
    );
    expect(explained.hint).toBe(
      'The sandbox in .sandbox is not running: start it with `frontendops sandbox start --dir .sandbox`, then try again.',
    );
    expect(explained.data).toMatchObject({
      service: 's3',
      endpoint: 'http://127.0.0.1:4566',
      sandboxDir: '.sandbox',
    });
  });

  it('leaves an endpoint that is not the configured one as it was seen (another process used its own)', () => {
    const elsewhere = endpointUnreachable(socketError('ECONNREFUSED', { address: '127.0.0.1', port: 5999 }), {
      service: SERVICES.s3,
    }) as FrontendOpsError;
    const explained = explainUnreachable(elsewhere, sandboxContext());
    expect(explained.message).toBe('S3 at 127.0.0.1:5999 refused the connection (ECONNREFUSED)');
    expect(explained.data?.endpoint).toBe('127.0.0.1:5999');
  });

  it('keeps --persist for a persisted sandbox and names npm run demo for the demo', () => {
    expect(explainUnreachable(refused(), sandboxContext({ persist: true })).hint).toContain(
      '`frontendops sandbox start --dir .sandbox --persist`',
    );
    expect(
      explainUnreachable(refused(), sandboxContext({ dir: '.sandbox/demo', persist: true, demo: true })).hint,
    ).toBe(
      'The sandbox in .sandbox/demo is not running: start it with `npm run demo` (or `frontendops sandbox start --dir .sandbox/demo --persist`), then try again.',
    );
  });

  it('says when the sandbox process runs but the endpoint does not answer', () => {
    expect(explainUnreachable(refused(), sandboxContext({ runningPid: 4242 })).hint).toBe(
      'The sandbox in .sandbox (pid 4242) runs but S3 does not answer: stop it (Ctrl-C) and start it again with `frontendops sandbox start --dir .sandbox`.',
    );
  });

  it('for real AWS says what to check: the configured endpoint, or the network path to the region', () => {
    const minio = endpointUnreachable(socketError('ECONNREFUSED', { address: '10.0.0.5', port: 9000 }), {
      service: SERVICES.s3,
      endpoint: 'https://minio.internal:9000',
    }) as FrontendOpsError;
    const custom = explainUnreachable(minio, {
      configPath: '/etc/frontendops.json',
      region: 'eu-west-1',
      endpoints: { s3: 'https://minio.internal:9000' },
    });
    expect(custom.hint).toBe(
      'Check that https://minio.internal:9000 (aws.s3Endpoint in /etc/frontendops.json) is up and reachable from this machine.',
    );
    const dns = endpointUnreachable(socketError('ENOTFOUND', { hostname: 's3.eu-west-1.amazonaws.com' }), {
      service: SERVICES.s3,
    }) as FrontendOpsError;
    const aws = explainUnreachable(dns, { configPath: '/etc/f.json', region: 'eu-west-1', endpoints: {} });
    expect(aws.message).toBe(
      'S3 at s3.eu-west-1.amazonaws.com has a host name that does not resolve (ENOTFOUND)',
    );
    expect(aws.hint).toMatch(/^Check this machine's network path to AWS S3 in eu-west-1 \(DNS, proxy, VPN/);
    const edge = explainUnreachable(
      new FrontendOpsError('ENDPOINT_UNREACHABLE', 'the site at https://d1.cloudfront.net refused', {
        data: { service: SERVICES.edge, endpoint: 'https://d1.cloudfront.net' },
      }),
      { configPath: '/etc/f.json', region: 'eu-west-1', endpoints: {} },
    );
    expect(edge.hint).toMatch(/^Check the site URL https:\/\/d1\.cloudfront\.net \(the stack's url output\)/);
  });

  it("does not blame the sandbox for an endpoint that is not the sandbox's", () => {
    const other = endpointUnreachable(socketError('ECONNREFUSED', { address: '127.0.0.1', port: 5999 }), {
      service: SERVICES.cloudfront,
    }) as FrontendOpsError;
    const explained = explainUnreachable(other, sandboxContext({ runningPid: 4242 }));
    expect(explained.hint).toBe(
      "Check that 127.0.0.1:5999 is up and reachable from this machine (it is not the endpoint /work/.sandbox/frontendops.config.json names for the CloudFront API; check the MCP servers' env in mcpServers).",
    );
  });

  it('passes other errors through unchanged', () => {
    const other = new FrontendOpsError('S3_ERROR', 'AccessDenied');
    expect(explainUnreachable(other, sandboxContext())).toBe(other);
  });
});
