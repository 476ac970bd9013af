import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  waitUntilInvalidationCompleted,
} from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxCloudFrontClient, sandboxPerFile, sandboxS3Client } from '../../support/sandbox.js';

const { sandbox } = sandboxPerFile({ invalidationDelayMs: 300 });
let s3: S3Client;
let cloudfront: CloudFrontClient;

beforeAll(() => {
  s3 = sandboxS3Client(sandbox());
  cloudfront = sandboxCloudFrontClient(sandbox());
});
afterAll(() => {
  s3.destroy();
  cloudfront.destroy();
});

async function put(key: string, body: string, contentType: string, cacheControl?: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: sandbox().info.hostingBucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ...(cacheControl === undefined ? {} : { CacheControl: cacheControl }),
    }),
  );
}

function get(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${sandbox().info.edgeUrl}${path}`, init);
}

let callerReference = 0;
async function invalidate(paths: string[]): Promise<string> {
  callerReference += 1;
  const created = await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: sandbox().info.distributionId,
      InvalidationBatch: {
        CallerReference: `test-${callerReference}`,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );
  const id = created.Invalidation?.Id ?? '';
  await waitUntilInvalidationCompleted(
    { client: cloudfront, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
    { DistributionId: sandbox().info.distributionId, Id: id },
  );
  return id;
}

describe('sandbox edge: serves the hosting bucket like the CloudFront distribution', () => {
  it('serves the default root object with the object bytes and headers, then from cache with an age', async () => {
    await put('index.html', '<!doctype html><h1>v1</h1>', 'text/html; charset=utf-8', 'max-age=300');
    const miss = await get('/');
    expect(miss.status).toBe(200);
    expect(await miss.text()).toBe('<!doctype html><h1>v1</h1>');
    expect(miss.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(miss.headers.get('cache-control')).toBe('max-age=300');
    expect(miss.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(miss.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(miss.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(miss.headers.get('x-content-type-options')).toBe('nosniff');
    const hit = await get('/');
    expect(hit.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(await hit.text()).toBe('<!doctype html><h1>v1</h1>');
  });

  it('serves binary objects byte for byte with their content type', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    await s3.send(
      new PutObjectCommand({
        Bucket: sandbox().info.hostingBucket,
        Key: 'assets/logo.png',
        Body: bytes,
        ContentType: 'image/png',
      }),
    );
    const res = await get('/assets/logo.png');
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('keeps serving the cached copy after the object changed, until an invalidation completes', async () => {
    await put('stale.html', 'old', 'text/html', 'max-age=600');
    expect(await (await get('/stale.html')).text()).toBe('old');
    await put('stale.html', 'new', 'text/html', 'max-age=600');
    const stale = await get('/stale.html');
    expect(stale.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(await stale.text()).toBe('old');

    const created = await cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: sandbox().info.distributionId,
        InvalidationBatch: { CallerReference: 'stale-page', Paths: { Quantity: 1, Items: ['/stale.html'] } },
      }),
    );
    expect(created.Invalidation?.Status).toBe('InProgress');
    expect(created.Location).toBe(
      `${sandbox().info.cloudfrontEndpoint}/2020-05-31/distribution/${sandbox().info.distributionId}/invalidation/${created.Invalidation?.Id}`,
    );
    const result = await waitUntilInvalidationCompleted(
      { client: cloudfront, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
      { DistributionId: sandbox().info.distributionId, Id: created.Invalidation?.Id ?? '' },
    );
    expect(result.state).toBe('SUCCESS');
    const fresh = await get('/stale.html');
    expect(fresh.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await fresh.text()).toBe('new');

    const fetched = await cloudfront.send(
      new GetInvalidationCommand({
        DistributionId: sandbox().info.distributionId,
        Id: created.Invalidation?.Id ?? '',
      }),
    );
    expect(fetched.Invalidation).toMatchObject({
      Status: 'Completed',
      InvalidationBatch: { CallerReference: 'stale-page', Paths: { Quantity: 1, Items: ['/stale.html'] } },
    });
  });

  it('purges by wildcard: /assets/* drops every asset and leaves other paths cached', async () => {
    await put('assets/app.js', 'app-v1', 'text/javascript', 'max-age=600');
    await put('page.html', 'page-v1', 'text/html', 'max-age=600');
    await get('/assets/app.js');
    await get('/page.html');
    await put('assets/app.js', 'app-v2', 'text/javascript', 'max-age=600');
    await put('page.html', 'page-v2', 'text/html', 'max-age=600');
    await invalidate(['/assets/*']);
    expect(await (await get('/assets/app.js')).text()).toBe('app-v2');
    expect(await (await get('/page.html')).text()).toBe('page-v1');
    await invalidate(['/*']);
    expect(await (await get('/page.html')).text()).toBe('page-v2');
  });

  it('does not cache objects marked no-cache, and caches objects without Cache-Control (default TTL)', async () => {
    await put('live.json', '1', 'application/json', 'no-cache');
    await put('default.txt', 'd1', 'text/plain');
    expect((await get('/live.json')).headers.get('x-cache')).toBe('Miss from cloudfront');
    await get('/default.txt');
    await put('live.json', '2', 'application/json', 'no-cache');
    await put('default.txt', 'd2', 'text/plain');
    const live = await get('/live.json');
    expect(live.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await live.text()).toBe('2');
    expect(await (await get('/default.txt')).text()).toBe('d1');
  });

  it('answers unknown extension-less paths with index.html (SPA fallback) and unknown files with 404', async () => {
    await put('index.html', '<h1>spa</h1>', 'text/html', 'no-cache');
    const route = await get('/releases/42');
    expect(route.status).toBe(200);
    expect(route.headers.get('content-type')).toBe('text/html');
    expect(await route.text()).toBe('<h1>spa</h1>');
    // The app shell for a missing path is never cached (ErrorCachingMinTTL 0 in the stack).
    await put('index.html', '<h1>spa v2</h1>', 'text/html', 'max-age=600');
    expect(await (await get('/releases/42')).text()).toBe('<h1>spa v2</h1>');
    expect((await get('/releases/42')).headers.get('x-cache')).toBe('Miss from cloudfront');
    const missing = await get('/assets/missing.js');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
  });

  it('answers HEAD without a body and a matching If-None-Match with 304', async () => {
    await put('etag.txt', 'etag body', 'text/plain', 'max-age=60');
    const head = await get('/etag.txt', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('9');
    expect(await head.text()).toBe('');
    const etag = head.headers.get('etag') ?? '';
    const notModified = await get('/etag.txt', { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
  });

  it('refuses methods other than GET and HEAD with 403', async () => {
    expect((await get('/index.html', { method: 'POST', body: 'x' })).status).toBe(403);
  });
});

describe('sandbox CloudFront API: @aws-sdk/client-cloudfront with an endpoint override', () => {
  it('gets the distribution with its ETag and default root object', async () => {
    const out = await cloudfront.send(new GetDistributionCommand({ Id: sandbox().info.distributionId }));
    expect(out.ETag).toBeTruthy();
    expect(out.Distribution).toMatchObject({
      Id: sandbox().info.distributionId,
      Status: 'Deployed',
      DistributionConfig: { DefaultRootObject: 'index.html', Enabled: true },
    });
  });

  it('lists invalidations newest first, paging with Marker', async () => {
    const a = await invalidate(['/list-a']);
    const b = await invalidate(['/list-b']);
    const first = await cloudfront.send(
      new ListInvalidationsCommand({ DistributionId: sandbox().info.distributionId, MaxItems: 1 }),
    );
    expect(first.InvalidationList?.Items?.map((i) => i.Id)).toEqual([b]);
    expect(first.InvalidationList?.IsTruncated).toBe(true);
    const second = await cloudfront.send(
      new ListInvalidationsCommand({
        DistributionId: sandbox().info.distributionId,
        MaxItems: 1,
        Marker: first.InvalidationList?.NextMarker,
      }),
    );
    expect(second.InvalidationList?.Items?.map((i) => [i.Id, i.Status])).toEqual([[a, 'Completed']]);
  });

  it('returns the same invalidation for a repeated CallerReference, and an error when its paths differ', async () => {
    const batch = (paths: string[]) =>
      new CreateInvalidationCommand({
        DistributionId: sandbox().info.distributionId,
        InvalidationBatch: {
          CallerReference: 'idempotent-1',
          Paths: { Quantity: paths.length, Items: paths },
        },
      });
    const first = await cloudfront.send(batch(['/x']));
    const again = await cloudfront.send(batch(['/x']));
    expect(again.Invalidation?.Id).toBe(first.Invalidation?.Id);
    await expect(cloudfront.send(batch(['/y']))).rejects.toMatchObject({
      name: 'InvalidationBatchAlreadyExists',
    });
  });

  it('rejects malformed invalidation requests with CloudFront errors', async () => {
    const id = sandbox().info.distributionId;
    await expect(
      cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: id,
          InvalidationBatch: { CallerReference: 'bad-1', Paths: { Quantity: 2, Items: ['/a'] } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InconsistentQuantities', $metadata: { httpStatusCode: 400 } });
    await expect(
      cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: id,
          InvalidationBatch: { CallerReference: 'bad-2', Paths: { Quantity: 1, Items: ['no-slash'] } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    await expect(
      cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: id,
          InvalidationBatch: { CallerReference: 'bad-3', Paths: { Quantity: 1, Items: ['/a*b'] } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(
      cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: 'ENOSUCHDIST123',
          InvalidationBatch: { CallerReference: 'bad-4', Paths: { Quantity: 1, Items: ['/a'] } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchDistribution', $metadata: { httpStatusCode: 404 } });
    await expect(
      cloudfront.send(new GetInvalidationCommand({ DistributionId: id, Id: 'INOSUCHINVAL12' })),
    ).rejects.toMatchObject({ name: 'NoSuchInvalidation', $metadata: { httpStatusCode: 404 } });
  });

  it('answers a raw request with an unparsable or empty body with the CloudFront XML ErrorResponse', async () => {
    const url = `${sandbox().info.cloudfrontEndpoint}/2020-05-31/distribution/${sandbox().info.distributionId}/invalidation`;
    const authorization = 'AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/cloudfront/aws4_request';
    const garbage = await fetch(url, {
      method: 'POST',
      body: '<InvalidationBatch><Paths>',
      headers: { authorization },
    });
    expect(garbage.status).toBe(400);
    const text = await garbage.text();
    expect(text).toContain('<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">');
    expect(text).toContain('<Type>Sender</Type><Code>InvalidArgument</Code>');
    const empty = await fetch(url, { method: 'POST', headers: { authorization } });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('<Code>MissingBody</Code>');
    const unsigned = await fetch(url, { method: 'POST', body: '<x/>' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});

describe('sandbox CloudFront API: limits', () => {
  const slow = sandboxPerFile({ invalidationDelayMs: 600_000 });

  it('refuses more than 15 wildcard paths in progress with TooManyInvalidationsInProgress', async () => {
    const client = sandboxCloudFrontClient(slow.sandbox());
    try {
      const create = (ref: string, paths: string[]) =>
        client.send(
          new CreateInvalidationCommand({
            DistributionId: slow.sandbox().info.distributionId,
            InvalidationBatch: { CallerReference: ref, Paths: { Quantity: paths.length, Items: paths } },
          }),
        );
      const wildcards = Array.from({ length: 15 }, (_, i) => `/w${i}/*`);
      const accepted = await create('fifteen', wildcards);
      expect(accepted.Invalidation?.Status).toBe('InProgress');
      await expect(create('sixteenth', ['/more/*'])).rejects.toMatchObject({
        name: 'TooManyInvalidationsInProgress',
        $metadata: { httpStatusCode: 400 },
      });
      const files = Array.from({ length: 3001 }, (_, i) => `/f${i}.html`);
      await expect(create('too-large', files)).rejects.toMatchObject({ name: 'BatchTooLarge' });
    } finally {
      client.destroy();
    }
  });
});
