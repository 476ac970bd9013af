import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { GetObjectCommand, type GetObjectCommandOutput, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { SANDBOX_CREDENTIALS } from '../aws/endpoints.js';
import { type CachedResponse, EdgeCache, edgeTtlSeconds } from './edge-cache.js';
import { DEFAULT_ROOT_OBJECT, objectKeyForPath, usesSpaFallback } from './edge-paths.js';
import { closeServer, listen, SANDBOX_HOST } from './http-server.js';
import { renderS3Error, S3_ERRORS, type S3ErrorSpec, s3RequestId } from './s3-errors.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * The sandbox's stand-in for the CloudFront edge: serves the hosting bucket the way the site's distribution
 * does (default root object, SPA fallback, the object's own headers) through a shared cache that honours
 * Cache-Control, so a page that was not invalidated is visibly stale. It reads the bucket with the S3 SDK
 * straight from the emulator, bypassing the proxy: edge reads must not count as the deploy's requests or
 * suffer its injected faults.
 */
export interface Edge {
  url: string;
  cache: EdgeCache;
  close(): Promise<void>;
}

export interface EdgeOptions {
  /** The raw emulator endpoint. */
  s3Endpoint: string;
  bucket: string;
  port?: number;
  /** Runs before every request: completes due invalidations so their purge happens first. */
  beforeRequest?: () => void;
  now?: () => number;
}

interface OriginAnswer {
  response: CachedResponse;
  fallback: boolean;
}

const PASSED_HEADERS = [
  ['ContentType', 'content-type'],
  ['CacheControl', 'cache-control'],
  ['ContentEncoding', 'content-encoding'],
  ['ContentLanguage', 'content-language'],
  ['ContentDisposition', 'content-disposition'],
  ['ETag', 'etag'],
  ['ExpiresString', 'expires'],
] as const;

async function toCachedResponse(output: GetObjectCommandOutput): Promise<CachedResponse> {
  const body = Buffer.from((await output.Body?.transformToByteArray()) ?? new Uint8Array());
  const headers: Record<string, string> = {};
  for (const [field, name] of PASSED_HEADERS) {
    const value = output[field];
    if (typeof value === 'string' && value !== '') headers[name] = value;
  }
  if (output.LastModified !== undefined) headers['last-modified'] = output.LastModified.toUTCString();
  for (const [name, value] of Object.entries(output.Metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
  headers['content-length'] = String(body.length);
  return { status: 200, headers, body };
}

/** `1.1 <hex>.cloudfront.net (CloudFront)`, as CloudFront's Via header reads. */
const VIA = `1.1 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`;

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: options.s3Endpoint,
    forcePathStyle: true,
    credentials: { ...SANDBOX_CREDENTIALS },
  });
  const cache = new EdgeCache(options.now);
  const inFlight = new Map<string, Promise<OriginAnswer | undefined>>();

  async function getObject(key: string): Promise<CachedResponse | undefined> {
    try {
      return await toCachedResponse(
        await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key })),
      );
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /**
   * The origin's answer for a request path, with the SPA fallback applied; undefined = 404. `fallback`
   * marks the app shell served for a missing path: the stack's custom error responses have
   * ErrorCachingMinTTL 0, so those are never cached and a deep link cannot show the previous release's shell.
   */
  async function fetchFromOrigin(path: string): Promise<OriginAnswer | undefined> {
    const key = objectKeyForPath(path);
    if (key === undefined) return undefined;
    const found = await getObject(key);
    if (found !== undefined) return { response: found, fallback: false };
    if (!usesSpaFallback(path) || key === DEFAULT_ROOT_OBJECT) return undefined;
    const shell = await getObject(DEFAULT_ROOT_OBJECT);
    return shell === undefined ? undefined : { response: shell, fallback: true };
  }

  /** Concurrent misses on one path share one origin fetch, as CloudFront collapses them. */
  function fetchCollapsed(path: string): Promise<OriginAnswer | undefined> {
    const pending = inFlight.get(path);
    if (pending !== undefined) return pending;
    const fetching = fetchFromOrigin(path).finally(() => inFlight.delete(path));
    inFlight.set(path, fetching);
    return fetching;
  }

  function sendError(res: ServerResponse, error: S3ErrorSpec, head: boolean, resource?: string): void {
    const body = renderS3Error(error, resource, s3RequestId());
    res.writeHead(error.status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      ...SECURITY_HEADERS,
      'x-cache': 'Error from cloudfront',
      via: VIA,
      'x-amz-cf-pop': 'SANDBOX1',
      'x-amz-cf-id': randomBytes(24).toString('base64url'),
    });
    res.end(head ? undefined : body);
  }

  function respond(
    req: IncomingMessage,
    res: ServerResponse,
    response: CachedResponse,
    hit: boolean,
    age: number,
  ): void {
    const headers: Record<string, string> = {
      ...response.headers,
      ...SECURITY_HEADERS,
      'x-cache': hit ? 'Hit from cloudfront' : 'Miss from cloudfront',
      via: VIA,
      'x-amz-cf-pop': 'SANDBOX1',
      'x-amz-cf-id': randomBytes(24).toString('base64url'),
      server: 'AmazonS3',
    };
    if (hit) headers.age = String(age);
    const etag = response.headers.etag;
    const ifNoneMatch = req.headers['if-none-match'];
    if (etag !== undefined && ifNoneMatch?.split(',').some((t) => t.trim() === etag)) {
      delete headers['content-length'];
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : response.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    options.beforeRequest?.();
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      req.resume();
      return sendError(
        res,
        {
          status: 403,
          code: 'MethodNotAllowed',
          message:
            'This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.',
        },
        false,
      );
    }
    const path = new URL(req.url ?? '/', 'http://edge').pathname;
    const cached = cache.get(path);
    if (cached !== undefined) return respond(req, res, cached.response, true, cached.ageSeconds);
    const answer = await fetchCollapsed(path);
    if (answer === undefined) return sendError(res, S3_ERRORS.noSuchKey, head, path);
    if (!answer.fallback)
      cache.put(path, answer.response, edgeTtlSeconds(answer.response.headers['cache-control']));
    respond(req, res, answer.response, false, 0);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) return res.destroy();
      sendError(
        res,
        { status: 502, code: 'BadGateway', message: 'CloudFront could not read the origin.' },
        req.method === 'HEAD',
      );
    });
  });
  const port = await listen(server, options.port ?? 0, 'edge');
  return {
    url: `http://${SANDBOX_HOST}:${port}`,
    cache,
    close: async () => {
      await closeServer(server);
      s3.destroy();
    },
  };
}
