import { Agent, createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Proxy, startS3Proxy } from '../../../agent/src/sandbox/s3-proxy.js';

/**
 * The proxy against a fake upstream, to see what it does to requests independently of the emulator:
 * streaming, latency and seeded fault rates.
 */
const SIGNED = { authorization: 'AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/s3/aws4_request' };

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  firstChunkAt?: number;
  bytes: number;
}

let upstream: Server;
let upstreamUrl: string;
const seen: Seen[] = [];
/** Resolved when the upstream has received the first body chunk of the current upload. */
let onFirstChunk: (() => void) | undefined;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes: 0 };
    seen.push(entry);
    req.on('data', (chunk: Buffer) => {
      if (entry.bytes === 0) onFirstChunk?.();
      entry.bytes += chunk.length;
    });
    req.on('end', () => {
      res.writeHead(200, { etag: '"abc"', 'x-upstream': 'yes' });
      res.end(req.method === 'HEAD' ? undefined : `received ${entry.bytes}`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
});

async function withProxy<T>(
  options: Partial<Parameters<typeof startS3Proxy>[0]>,
  run: (proxy: S3Proxy) => Promise<T>,
): Promise<T> {
  const proxy = await startS3Proxy({ upstream: upstreamUrl, ...options });
  try {
    return await run(proxy);
  } finally {
    await proxy.close();
  }
}

describe('S3 proxy', () => {
  it('streams an upload to the emulator before the client has finished sending it', async () => {
    await withProxy({}, async (proxy) => {
      const url = new URL(`${proxy.endpoint}/bucket/big.bin`);
      const firstChunkArrived = new Promise<void>((resolve) => {
        onFirstChunk = resolve;
      });
      const response = new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'PUT',
            headers: { ...SIGNED, 'content-length': 2 * 1024 * 1024 },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              body += chunk;
            });
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
        req.write(Buffer.alloc(1024 * 1024, 1));
        // The second half is only sent once the upstream saw the first: a buffering proxy would deadlock here.
        firstChunkArrived.then(() => req.end(Buffer.alloc(1024 * 1024, 2)), reject);
      });
      expect(await response).toBe(`received ${2 * 1024 * 1024}`);
      onFirstChunk = undefined;
    });
  });

  it('regression: keeps an idle connection open past Node’s 5 s default, so a client reusing it is not reset (ECONNRESET under load)', async () => {
    await withProxy({}, async (proxy) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const get = () =>
        new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
          const req = request(
            `${proxy.endpoint}/bucket/kept.txt?x-id=GetObject`,
            { agent, headers: SIGNED },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
            },
          );
          req.on('error', reject);
          req.end();
        });
      try {
        expect(await get()).toEqual({ status: 200, reused: false });
        await sleep(6_500);
        expect(await get()).toEqual({ status: 200, reused: true });
      } finally {
        agent.destroy();
      }
    });
  });

  it('passes the path, query and headers through and the answer back', async () => {
    await withProxy({}, async (proxy) => {
      const res = await fetch(`${proxy.endpoint}/bucket/a%20b.txt?x-id=GetObject`, {
        headers: { ...SIGNED, 'x-amz-meta-commit': 'c1' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-upstream')).toBe('yes');
      const last = seen[seen.length - 1];
      expect(last?.url).toBe('/bucket/a%20b.txt?x-id=GetObject');
      expect(last?.headers['x-amz-meta-commit']).toBe('c1');
      expect(proxy.requestCounts()).toEqual({ GetObject: 1 });
    });
  });

  it('waits the configured latency before each S3 request', async () => {
    const waits: number[] = [];
    await withProxy({ latencyMs: 40, sleep: async (ms) => void waits.push(ms) }, async (proxy) => {
      await fetch(`${proxy.endpoint}/bucket/k`, { headers: SIGNED });
      proxy.setLatency(75);
      await fetch(`${proxy.endpoint}/bucket/k`, { method: 'HEAD', headers: SIGNED });
      proxy.setLatency(0);
      await fetch(`${proxy.endpoint}/bucket/k`, { headers: SIGNED });
    });
    expect(waits).toEqual([40, 75]);
  });

  it('fails the configured share of requests, decided by the random source', async () => {
    // Per request the proxy draws once to decide, and once more to pick the kind when it fails.
    const draws = [0.1, 0.0, 0.9, 0.1, 0.0, 0.95];
    const upstreamBefore = seen.length;
    await withProxy(
      { faults: { rate: 0.5, kinds: ['slowdown'] }, random: () => draws.shift() ?? 0.99 },
      async (proxy) => {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i += 1) {
          statuses.push((await fetch(`${proxy.endpoint}/bucket/k`, { headers: SIGNED })).status);
        }
        expect(statuses).toEqual([503, 200, 503, 200]);
        expect(proxy.requestCounts()).toEqual({ GetObject: 4 });
      },
    );
    expect(seen.length - upstreamBefore).toBe(2);
  });

  it('evaluates a copy-source condition from what it saw of the source, asking the emulator only when it cannot vouch for it', async () => {
    await withProxy({}, async (proxy) => {
      const heads = () => seen.filter((r) => r.method === 'HEAD').length;
      const send = (method: string, path: string, body: string) =>
        fetch(`${proxy.endpoint}${path}`, { method, headers: SIGNED, body }).then((res) => res.status);
      const copy = (ifMatch: string) =>
        fetch(`${proxy.endpoint}/hosting/index.html`, {
          method: 'PUT',
          headers: {
            ...SIGNED,
            'x-amz-copy-source': '/artifacts/builds/c1/index.html',
            'x-amz-copy-source-if-match': ifMatch,
          },
        }).then((res) => res.status);
      // A source never seen: the proxy asks the emulator (the fake upstream answers ETag "abc").
      const before = heads();
      expect(await copy('"abc"')).toBe(200);
      expect(heads() - before).toBe(1);
      // Now known: a matching copy and a mismatching one cost no HEAD, and the mismatch is still refused.
      expect(await copy('"abc"')).toBe(200);
      expect(await copy('"stale"')).toBe(412);
      expect(heads() - before).toBe(1);
      // A PutObject through the proxy tells it the new ETag: no HEAD either.
      expect(await send('PUT', '/artifacts/builds/c1/index.html', 'page')).toBe(200);
      expect(await copy('"abc"')).toBe(200);
      expect(heads() - before).toBe(1);
      // A bulk delete of other keys in the source's bucket (a cleanup of release records): still known.
      const deleteOf = (...keys: string[]) =>
        `<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}</Delete>`;
      expect(await send('POST', '/artifacts?delete', deleteOf('releases/a.json', 'locks/s.json'))).toBe(200);
      expect(await copy('"abc"')).toBe(200);
      expect(heads() - before).toBe(1);
      // A bulk delete naming the source: the proxy can no longer vouch for it, so it asks again.
      expect(await send('POST', '/artifacts?delete', deleteOf('builds/c1/index.html'))).toBe(200);
      expect(await copy('"abc"')).toBe(200);
      expect(heads() - before).toBe(2);
      // A bulk delete whose body it cannot read may have deleted anything in the bucket.
      expect(await send('POST', '/artifacts?delete', '<Delete><Quiet>true</Quiet>')).toBe(200);
      expect(await copy('"abc"')).toBe(200);
      expect(heads() - before).toBe(3);
      // The emulator received each delete's body as sent.
      expect(seen.filter((r) => r.url === '/artifacts?delete').map((r) => r.bytes)).toEqual([
        Buffer.byteLength(deleteOf('releases/a.json', 'locks/s.json')),
        Buffer.byteLength(deleteOf('builds/c1/index.html')),
        Buffer.byteLength('<Delete><Quiet>true</Quiet>'),
      ]);
    });
  });

  it('regression: a client that disconnects while its write waits does not leave the key locked', async () => {
    // Seen with a deploy killed mid-copy (test/integration/deploy/crash.test.ts): its lock write was waiting
    // out the added latency when the process died, and every later write to the lock key waited forever.
    let releaseLatency!: () => void;
    let latencyEntered!: () => void;
    const entered = new Promise<void>((resolve) => {
      latencyEntered = resolve;
    });
    let firstSleep = true;
    const sleep = (_ms: number) => {
      if (!firstSleep) return Promise.resolve();
      firstSleep = false;
      latencyEntered();
      return new Promise<void>((resolve) => {
        releaseLatency = resolve;
      });
    };
    await withProxy({ latencyMs: 10, sleep }, async (proxy) => {
      const url = new URL(`${proxy.endpoint}/bucket/locks/stack.json`);
      const doomed = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PUT',
        headers: { ...SIGNED, 'content-length': 2 },
      });
      doomed.on('error', () => undefined);
      doomed.end('v1');
      await entered;
      doomed.destroy(); // the client dies while its request waits
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the proxy see the closed socket
      releaseLatency();
      const next = fetch(url, { method: 'PUT', headers: SIGNED, body: 'v2' }).then((res) => res.status);
      const hang = new Promise((resolve) => setTimeout(() => resolve('still blocked'), 5_000).unref());
      expect(await Promise.race([next, hang])).toBe(200);
    });
  });

  it('keeps the emulator out of reach for anything but S3 (its SQS/SNS API lives at POST /)', async () => {
    await withProxy({}, async (proxy) => {
      const res = await fetch(`${proxy.endpoint}/`, {
        method: 'POST',
        headers: SIGNED,
        body: 'Action=ListQueues',
      });
      expect(res.status).toBe(405);
      expect(await res.text()).toContain('<Code>MethodNotAllowed</Code>');
    });
  });
});
