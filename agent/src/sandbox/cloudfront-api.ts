import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  CLOUDFRONT_API_VERSION,
  type DistributionView,
  parseInvalidationBatch,
  renderCloudFrontError,
  renderDistribution,
  renderDistributionConfigDocument,
  renderInvalidation,
  renderInvalidationList,
} from './cloudfront-xml.js';
import { closeServer, listen, SANDBOX_HOST } from './http-server.js';
import type { CloudFrontErrorSpec, InvalidationStore } from './invalidations.js';

/**
 * The CloudFront REST API subset the deploy needs — CreateInvalidation, GetInvalidation, ListInvalidations,
 * GetDistribution (and GetDistributionConfig) — on its own endpoint, so `@aws-sdk/client-cloudfront` with an
 * `endpoint` override (and its `waitUntilInvalidationCompleted` waiter) works unchanged. One endpoint serves
 * every distribution of the sandbox, as CloudFront's one API serves an account's distributions.
 */
export interface CloudFrontApi {
  endpoint: string;
  close(): Promise<void>;
}

export interface SandboxDistribution extends Omit<DistributionView, 'inProgressInvalidations'> {
  /** The distribution's ETag (GetDistribution returns it for a later UpdateDistribution). */
  etag: string;
}

export interface CloudFrontApiOptions {
  port?: number;
  distributions: readonly SandboxDistribution[];
  invalidations: InvalidationStore;
}

const MAX_BODY_BYTES = 1024 * 1024;
const BASE = `/${CLOUDFRONT_API_VERSION}/distribution/`;

const ERRORS = {
  missingAuth: {
    status: 403,
    code: 'MissingAuthenticationToken',
    message: 'Request is missing Authentication Token',
  },
  noSuchDistribution: {
    status: 404,
    code: 'NoSuchDistribution',
    message: 'The specified distribution does not exist.',
  },
  noSuchInvalidation: {
    status: 404,
    code: 'NoSuchInvalidation',
    message: 'The specified invalidation does not exist.',
  },
  unsupported: {
    status: 400,
    code: 'InvalidAction',
    message: `The sandbox implements CreateInvalidation, GetInvalidation, ListInvalidations, GetDistribution and GetDistributionConfig of CloudFront API ${CLOUDFRONT_API_VERSION} only.`,
  },
  bodyTooLarge: { status: 400, code: 'InvalidArgument', message: 'The request body is too large.' },
} as const satisfies Record<string, CloudFrontErrorSpec>;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': String(Buffer.byteLength(body)),
    'x-amz-request-id': headers['x-amz-request-id'] ?? randomUUID(),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, error: CloudFrontErrorSpec): void {
  const requestId = randomUUID();
  send(res, error.status, renderCloudFrontError(error, requestId), { 'x-amz-request-id': requestId });
}

/** `MaxItems` as CloudFront accepts it: an integer 1..100 (default 100). */
function parseMaxItems(value: string | null): number | undefined {
  if (value === null) return 100;
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 100 ? n : undefined;
}

export async function startCloudFrontApi(options: CloudFrontApiOptions): Promise<CloudFrontApi> {
  const { invalidations } = options;
  const byId = new Map(options.distributions.map((d) => [d.id, d]));
  const view = ({ etag: _etag, ...distribution }: SandboxDistribution): DistributionView => ({
    ...distribution,
    inProgressInvalidations: invalidations.inProgressCount(distribution.id),
  });

  async function handle(req: IncomingMessage, res: ServerResponse, endpoint: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const authorization = req.headers.authorization;
    if (authorization === undefined || !authorization.startsWith('AWS4-HMAC-SHA256')) {
      req.resume();
      return sendError(res, ERRORS.missingAuth);
    }
    if (!url.pathname.startsWith(BASE)) {
      req.resume();
      return sendError(res, ERRORS.unsupported);
    }
    const [id = '', resource, invalidationId, ...rest] = url.pathname.slice(BASE.length).split('/');
    if (rest.length > 0) {
      req.resume();
      return sendError(res, ERRORS.unsupported);
    }
    const distribution = byId.get(id);
    if (distribution === undefined) {
      req.resume();
      return sendError(res, ERRORS.noSuchDistribution);
    }

    if (resource === undefined && method === 'GET') {
      return send(res, 200, renderDistribution(view(distribution)), { etag: distribution.etag });
    }
    if (resource === 'config' && invalidationId === undefined && method === 'GET') {
      return send(res, 200, renderDistributionConfigDocument(view(distribution)), {
        etag: distribution.etag,
      });
    }
    if (resource !== 'invalidation') {
      req.resume();
      return sendError(res, ERRORS.unsupported);
    }
    if (method === 'POST' && invalidationId === undefined) {
      const body = await readBody(req);
      if (body === undefined) return sendError(res, ERRORS.bodyTooLarge);
      const batch = parseInvalidationBatch(body);
      if (!batch.ok) return sendError(res, batch.error);
      const result = invalidations.create(distribution.id, batch.callerReference, batch.paths);
      if (!result.ok) return sendError(res, result.error);
      const location = `${endpoint}${BASE}${distribution.id}/invalidation/${result.invalidation.id}`;
      return send(res, 201, renderInvalidation(result.invalidation), { location });
    }
    if (method === 'GET' && invalidationId === undefined) {
      const maxItems = parseMaxItems(url.searchParams.get('MaxItems'));
      if (maxItems === undefined) {
        return sendError(res, {
          status: 400,
          code: 'InvalidArgument',
          message: 'MaxItems must be an integer from 1 to 100.',
        });
      }
      const all = invalidations.list(distribution.id);
      const marker = url.searchParams.get('Marker') ?? '';
      const start = marker === '' ? 0 : all.findIndex((inv) => inv.id === marker) + 1;
      const items = all.slice(start, start + maxItems);
      const last = items[items.length - 1];
      const truncated = start + maxItems < all.length && last !== undefined;
      return send(
        res,
        200,
        renderInvalidationList({ items, marker, maxItems, ...(truncated ? { nextMarker: last.id } : {}) }),
      );
    }
    if (method === 'GET' && invalidationId !== undefined) {
      const invalidation = invalidations.get(distribution.id, invalidationId);
      if (invalidation === undefined) return sendError(res, ERRORS.noSuchInvalidation);
      return send(res, 200, renderInvalidation(invalidation));
    }
    req.resume();
    return sendError(res, ERRORS.unsupported);
  }

  let endpoint = '';
  const server = createServer((req, res) => {
    handle(req, res, endpoint).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      sendError(res, {
        status: 500,
        code: 'InternalError',
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });
  const port = await listen(server, options.port ?? 0, 'CloudFront API');
  endpoint = `http://${SANDBOX_HOST}:${port}`;
  return { endpoint, close: () => closeServer(server) };
}
