import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import { pipeline } from 'node:stream';
import {
  evaluateCopySourceConditions,
  evaluateReadConditions,
  evaluateWriteConditions,
  hasReadConditions,
  type ObjectState,
  type ReadConditions,
} from './conditions.js';
import { deletedKeys } from './delete-objects.js';
import {
  chooseFault,
  type FaultKind,
  type FaultSettings,
  FaultSettingsSchema,
  seededRandom,
} from './faults.js';
import { closeServer, listen, SANDBOX_HOST } from './http-server.js';
import { KeyedMutex } from './key-lock.js';
import { type KnownObject, ObjectStateMemory } from './object-state-memory.js';
import { preconditionFailed, renderS3Error, S3_ERRORS, type S3ErrorSpec, s3RequestId } from './s3-errors.js';
import { COPY_OPERATIONS, KEY_WRITE_OPERATIONS, parseS3Path, s3OperationName } from './s3-operation.js';

/**
 * The sandbox's S3 endpoint: a thin streaming HTTP proxy in front of the emulator that adds what S3 has and
 * the emulator lacks or tests need: conditional writes serialised per key, copy-source and HeadObject
 * conditions, request counts per operation, fault injection, added latency. The engine is written for real
 * S3; where the emulator deviates, this layer adapts.
 */
export interface S3Proxy {
  endpoint: string;
  requestCounts(): Record<string, number>;
  resetRequestCounts(): void;
  setFaults(faults: FaultSettings): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export interface S3ProxyOptions {
  /** The emulator, e.g. `http://127.0.0.1:4566`. */
  upstream: string;
  port?: number;
  latencyMs?: number;
  faults?: FaultSettings;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  // node:http already answered `100 Continue` to the client; the emulator must not wait for a second one.
  'expect',
]);

function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Requests must carry SigV4 (header or presigned query), as S3 requires for a private bucket. */
function isSigned(headers: IncomingHttpHeaders, query: URLSearchParams): boolean {
  return (
    header(headers, 'authorization')?.startsWith('AWS4-HMAC-SHA256') === true || query.has('X-Amz-Signature')
  );
}

/**
 * Operations without a key that can change a bucket's objects (DeleteObjects, bucket deletion…): reads
 * and the parts of a multipart upload, which change nothing until it completes, are the exceptions.
 */
function mayChangeObjects(operation: string): boolean {
  return (
    !/^(Get|Head|List)/.test(operation) &&
    !['CreateMultipartUpload', 'UploadPart', 'UploadPartCopy', 'AbortMultipartUpload'].includes(operation)
  );
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startS3Proxy(options: S3ProxyOptions): Promise<S3Proxy> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  let random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const mutex = new KeyedMutex();
  const memory = new ObjectStateMemory();
  let counts: Record<string, number> = {};
  let latencyMs = options.latencyMs ?? 0;
  let faults: FaultSettings = options.faults ?? { rate: 0 };

  function sendError(
    res: ServerResponse,
    error: S3ErrorSpec,
    resource: string | undefined,
    head: boolean,
    status = error.status,
  ): void {
    const requestId = s3RequestId();
    const body = renderS3Error(error, resource, requestId);
    res.writeHead(status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': requestId,
      'x-amz-id-2': 'frontendops-sandbox',
    });
    res.end(head ? undefined : body);
  }

  /** HEADs an object on the emulator (path is a path-style, URL-encoded pathname). */
  function headUpstream(path: string): Promise<ObjectState> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: upstream.hostname, port: upstream.port, method: 'HEAD', path, agent },
        (res) => {
          res.resume();
          if (res.statusCode === 404) return resolve({ exists: false });
          if (res.statusCode !== 200) return reject(new Error(`HEAD ${path} answered ${res.statusCode}`));
          const etag = header(res.headers, 'etag');
          const lastModified = header(res.headers, 'last-modified');
          resolve({
            exists: true,
            ...(etag === undefined ? {} : { etag }),
            ...(lastModified === undefined ? {} : { lastModified: new Date(lastModified) }),
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * Streams the request to the emulator and its answer back; resolves when the response is over. `closed`
   * must be taken when the request arrives (see `responseClosed`): a client can go away while its request
   * waits for latency or a key lock, and a 'close' listener added after that would wait forever — holding
   * the key's lock against every later write.
   */
  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    closed: Promise<void>,
    onAnswer?: (status: number, headers: IncomingHttpHeaders) => void,
    /** The request body, when the proxy has already read it. */
    body?: Buffer,
  ): Promise<void> {
    if (res.destroyed || req.socket.destroyed) {
      req.destroy();
      return Promise.resolve();
    }
    const upstreamReq = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: forwardableHeaders(req.headers),
        agent,
      },
      (upstreamRes) => {
        onAnswer?.(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        res.writeHead(upstreamRes.statusCode ?? 502, forwardableHeaders(upstreamRes.headers));
        pipeline(upstreamRes, res, () => undefined);
      },
    );
    upstreamReq.on('error', () => {
      if (!res.headersSent) sendError(res, S3_ERRORS.internal, undefined, req.method === 'HEAD');
      else res.destroy();
    });
    if (body === undefined) pipeline(req, upstreamReq, () => undefined);
    else upstreamReq.end(body);
    // A client that leaves mid-request must not leave the emulator request hanging either.
    closed.then(() => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    return closed;
  }

  function injectFault(kind: FaultKind, req: IncomingMessage, res: ServerResponse, resource: string): void {
    const head = req.method === 'HEAD';
    switch (kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'slowdown':
        req.resume();
        sendError(res, S3_ERRORS.slowDown, resource, head);
        return;
      case 'internal':
        req.resume();
        sendError(res, S3_ERRORS.internal, resource, head);
        return;
      case 'copy-error-body':
        // S3 sends 200 before the copy finishes, so a late failure arrives as an <Error> body with status 200.
        req.resume();
        sendError(res, S3_ERRORS.internal, resource, head, 200);
        return;
    }
  }

  function readConditions(req: IncomingMessage, prefix: string): ReadConditions {
    const conditions: ReadConditions = {};
    const set = (field: keyof ReadConditions, name: string) => {
      const value = header(req.headers, `${prefix}${name}`);
      if (value !== undefined) conditions[field] = value;
    };
    set('ifMatch', 'if-match');
    set('ifNoneMatch', 'if-none-match');
    set('ifModifiedSince', 'if-modified-since');
    set('ifUnmodifiedSince', 'if-unmodified-since');
    return conditions;
  }

  /** Copy-source conditions (`x-amz-copy-source-if-*`), which the emulator ignores. */
  async function copySourceFailure(req: IncomingMessage): Promise<S3ErrorSpec | undefined> {
    const conditions = readConditions(req, 'x-amz-copy-source-');
    if (!hasReadConditions(conditions)) return undefined;
    const raw = header(req.headers, 'x-amz-copy-source') ?? '';
    const withoutVersion = raw.split('?')[0] ?? '';
    const decoded = decodeURIComponent(withoutVersion).replace(/^\//, '');
    const path = `/${decoded.split('/').map(encodeURIComponent).join('/')}`;
    const source = parseS3Path(path);
    if (source.bucket === undefined || source.key === undefined) {
      return evaluateCopySourceConditions(conditions, await headUpstream(path));
    }
    const known = memory.recall(source.bucket, source.key);
    const needsTime = conditions.ifModifiedSince !== undefined || conditions.ifUnmodifiedSince !== undefined;
    if (known !== undefined && (!needsTime || known.lastModified !== undefined)) {
      return evaluateCopySourceConditions(conditions, known);
    }
    const observation = memory.observe(source.bucket, source.key);
    const state = await headUpstream(path);
    memory.remember(source.bucket, observation, state);
    return evaluateCopySourceConditions(conditions, state);
  }

  /**
   * HeadObject conditions, which the emulator ignores on HEAD (it honours them on GET): 412 or 304 as S3
   * answers. Returns true when it answered the request itself.
   */
  async function answerConditionalHead(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<boolean> {
    const conditions = readConditions(req, '');
    if (!hasReadConditions(conditions)) return false;
    const state = await headUpstream(path);
    if (!state.exists) return false;
    const result = evaluateReadConditions(conditions, state);
    if (result.outcome === 'pass') return false;
    if (result.outcome === 'precondition-failed') {
      sendError(res, preconditionFailed(result.header), path, true);
      return true;
    }
    res.writeHead(304, {
      ...(state.etag === undefined ? {} : { etag: state.etag }),
      ...(state.lastModified === undefined ? {} : { 'last-modified': state.lastModified.toUTCString() }),
      'x-amz-request-id': s3RequestId(),
    });
    res.end();
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, closed: Promise<void>): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const operation = s3OperationName(method, url.pathname, url.searchParams, req.headers);
    counts[operation] = (counts[operation] ?? 0) + 1;
    const target = parseS3Path(url.pathname);
    const resource = url.pathname;
    const head = method === 'HEAD';

    if (!isSigned(req.headers, url.searchParams)) {
      req.resume();
      return sendError(res, S3_ERRORS.accessDenied, resource, head);
    }
    if (operation === 'Unknown') {
      // Also keeps the emulator's SQS/SNS API (POST /) out of reach: this endpoint is S3 only.
      req.resume();
      return sendError(res, S3_ERRORS.methodNotAllowed, resource, head);
    }
    if (latencyMs > 0) await sleep(latencyMs);
    const fault = chooseFault(faults, operation, random);
    if (fault !== undefined) return injectFault(fault, req, res, resource);

    if (operation === 'HeadObject' && (await answerConditionalHead(req, res, url.pathname))) return;
    const checkCopySource = COPY_OPERATIONS.has(operation);
    if (!KEY_WRITE_OPERATIONS.has(operation) || target.key === undefined) {
      const failure = checkCopySource ? await copySourceFailure(req) : undefined;
      if (failure !== undefined) {
        req.resume();
        return sendError(res, failure, resource, head);
      }
      if (target.bucket === undefined || !mayChangeObjects(operation)) return forward(req, res, closed);
      if (operation === 'DeleteObjects') return deleteObjects(req, res, closed, target.bucket);
      const endBucketWrite = memory.beginBucketWrite(target.bucket);
      return forward(req, res, closed).finally(endBucketWrite);
    }
    // Every write to a key holds that key's lock, so "check the precondition, then write" is atomic and
    // two concurrent `If-None-Match: *` puts cannot both win.
    await mutex.run(`${target.bucket}/${target.key}`, async () => {
      const ifMatch = header(req.headers, 'if-match');
      const ifNoneMatch = header(req.headers, 'if-none-match');
      let failure: S3ErrorSpec | undefined;
      if (ifMatch !== undefined || ifNoneMatch !== undefined) {
        const state = await headUpstream(url.pathname);
        failure = evaluateWriteConditions(
          operation,
          {
            ...(ifMatch === undefined ? {} : { ifMatch }),
            ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
          },
          state,
        );
      }
      if (failure === undefined && checkCopySource) failure = await copySourceFailure(req);
      if (failure !== undefined) {
        req.resume();
        return sendError(res, failure, resource, head);
      }
      const endWrite = memory.beginKeyWrite(target.bucket ?? '', target.key ?? '');
      let after: KnownObject | 'unsettled' | undefined = 'unsettled';
      await forward(req, res, closed, (status, headers) => {
        const etag = header(headers, 'etag');
        // Only a PutObject's answer carries the new ETag in a header; other writes are asked again.
        after =
          operation === 'PutObject' && status === 200 && etag !== undefined
            ? { exists: true, etag }
            : undefined;
      }).finally(() => endWrite(after));
    });
  }

  /**
   * DeleteObjects changes only the keys its body names: the proxy forgets what it saw of those, and keeps
   * vouching for the rest of the bucket (a cleanup of a few records must not make every later conditional
   * copy from that bucket ask the emulator again). A body it cannot read counts as a write to every key.
   */
  async function deleteObjects(
    req: IncomingMessage,
    res: ServerResponse,
    closed: Promise<void>,
    bucket: string,
  ): Promise<void> {
    let body: Buffer;
    try {
      body = Buffer.concat(await req.toArray());
    } catch {
      res.destroy();
      return;
    }
    const keys = deletedKeys(body);
    if (keys === undefined) {
      const endBucketWrite = memory.beginBucketWrite(bucket);
      return forward(req, res, closed, undefined, body).finally(endBucketWrite);
    }
    const endWrites = [...new Set(keys)].map((key) => memory.beginKeyWrite(bucket, key));
    let after: 'unsettled' | undefined = 'unsettled';
    await forward(
      req,
      res,
      closed,
      () => {
        after = undefined;
      },
      body,
    ).finally(() => {
      for (const end of endWrites) end(after);
    });
  }

  const server = createServer((req, res) => {
    // Taken before anything else can await, so the end of this response is never missed.
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    handle(req, res, closed).catch(() => {
      if (!res.headersSent) sendError(res, S3_ERRORS.internal, undefined, req.method === 'HEAD');
      else res.destroy();
    });
  });
  const port = await listen(server, options.port ?? 0, 'S3 endpoint');

  return {
    endpoint: `http://${SANDBOX_HOST}:${port}`,
    requestCounts: () => ({ ...counts }),
    resetRequestCounts: () => {
      counts = {};
    },
    setFaults: (next) => {
      faults = FaultSettingsSchema.parse(next);
      if (faults.seed !== undefined) random = seededRandom(faults.seed);
    },
    setLatency: (ms) => {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`latency must be a non-negative number, got ${ms}`);
      latencyMs = ms;
    },
    close: async () => {
      await closeServer(server);
      agent.destroy();
    },
  };
}
