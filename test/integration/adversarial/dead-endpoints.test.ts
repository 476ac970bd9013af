import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor, secretValuesFromEnv } from '../../../agent/src/audit/redact.js';
import { createS3Client } from '../../../agent/src/aws/clients.js';
import { createCloudFrontClient } from '../../../agent/src/aws/cloudfront-client.js';
import {
  createCloudFrontInvalidator,
  LOCAL_POLL_DELAY,
} from '../../../agent/src/cdn/cloudfront-invalidator.js';
import type { CliContext } from '../../../agent/src/cli/context.js';
import { EXIT } from '../../../agent/src/cli/exit-codes.js';
import { runCli } from '../../../agent/src/cli/main.js';
import type { ConfigInput } from '../../../agent/src/config/schema.js';
import { checkSiteHealth } from '../../../agent/src/deploy/health.js';
import { type ProgressEvent, runDeploy } from '../../../agent/src/deploy/pipeline.js';
import { realSleep } from '../../../agent/src/deploy/requests.js';
import { verifyDeployment } from '../../../agent/src/deploy/verify.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { connectMcpServer } from '../../../agent/src/mcp/client.js';
import { generateSite, writeSite } from '../../support/builds.js';
import { type EngineOnSandbox, engineOnSandbox, STACK } from '../../support/deploy-sandbox.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * Issue 10 §6, "dead endpoints fail fast": an S3 endpoint that accepted connections and never answered
 * kept the CLI silent for 487 s. Each dependency — S3 (deploy, status), the CloudFront API (an
 * invalidation, directly and through the pulumi MCP server) and the edge (verify, health check) — is
 * pointed at a real TCP server that accepts and never answers, and at a closed port. Each must fail
 * with ENDPOINT_UNREACHABLE naming the endpoint, within its configured attempts and deadline (small
 * here, 300 ms attempts, so the file runs fast; no assertion on wall-clock time), and change nothing.
 */
const { sandbox } = sandboxPerFile();
let engine: EngineOnSandbox;
let commit: string;
let silent: SilentServer;
let closedUrl: string;

/** Accepts every connection, reads whatever comes, never writes a byte. */
interface SilentServer {
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}

async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port that was just free: bound, then closed, so connecting to it is refused. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const FAST = { connectTimeoutSeconds: 0.3, requestTimeoutSeconds: 0.3, deadlineSeconds: 1 };

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  ({ commit } = await engine.publishVersion(1));
  silent = await startSilentServer();
  closedUrl = await closedPortUrl();
});
afterAll(async () => {
  await silent?.close();
  await engine?.close();
});

async function listing(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(`${o.Key} ${o.ETag}`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function bothListings(): Promise<{ artifacts: string[]; hosting: string[] }> {
  return {
    artifacts: await listing(engine.s3, engine.sync.source.bucket),
    hosting: await listing(engine.s3, engine.sync.destination.bucket),
  };
}

async function unreachable(promise: Promise<unknown>): Promise<FrontendOpsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FrontendOpsError);
    expect((error as FrontendOpsError).code, (error as Error).message).toBe('ENDPOINT_UNREACHABLE');
    return error as FrontendOpsError;
  }
  throw new Error('expected ENDPOINT_UNREACHABLE');
}

const deadEndpoints = [
  ['accepts and never answers', () => silent.url, 'no-response'],
  ['refuses connections', () => closedUrl, 'refused'],
] as const;

describe.each(deadEndpoints)('an endpoint that %s', (_what, urlOf, reason) => {
  it('S3, deploy: ENDPOINT_UNREACHABLE naming S3 there, a progress line saying so, both buckets unchanged', async () => {
    const url = urlOf();
    const before = await bothListings();
    const s3 = createS3Client(
      { region: 'us-east-1', s3Endpoint: url, forcePathStyle: true, sandboxCredentials: true },
      FAST,
    );
    const progress: ProgressEvent[] = [];
    try {
      const error = await unreachable(
        runDeploy(
          {
            s3,
            invalidator: engine.invalidator,
            attemptTimeoutMs: 300,
            requestDeadlineMs: 1_000,
            onProgress: (event) => progress.push(event),
          },
          {
            stack: STACK,
            commit,
            sync: engine.sync,
            stackBuckets: {
              artifactsBucket: engine.sync.source.bucket,
              hostingBucket: engine.sync.destination.bucket,
            },
            url: engine.url,
            trigger: 'cli',
            requestedBy: 'dead-endpoint-test',
            dryRun: false,
            keepReleases: 3,
            concurrency: 8,
            lockTtlSeconds: 60,
            cacheRules: [],
            invalidation: { collapseAbove: 25, maxWaitSeconds: 30 },
          },
        ),
      );
      expect(error.message).toContain(`S3 at ${url}`);
      expect(error.data).toMatchObject({ service: 's3', endpoint: url, kind: reason, deadlineMs: 1_000 });
      if (reason === 'no-response') {
        expect(error.data).toMatchObject({ timeoutMs: 300 });
        // Attempts of 300 ms fit at most three times in the 1 s deadline.
        expect(error.data?.attempts).toBeGreaterThanOrEqual(2);
        expect(error.data?.attempts).toBeLessThanOrEqual(3);
      } else {
        expect(error.data?.attempts).toBe(3);
      }
      expect(
        progress.some((e) => e.step === 'wait' && e.message?.startsWith(`waiting for S3 at ${url}`)),
      ).toBe(true);
    } finally {
      s3.destroy();
    }
    expect(await bothListings()).toEqual(before);
  });

  it('the CloudFront API, an invalidation: ENDPOINT_UNREACHABLE naming it, not a wait until maxWaitSeconds', async () => {
    const url = urlOf();
    const client = createCloudFrontClient(
      { region: 'us-east-1', cloudfrontEndpoint: url, forcePathStyle: false, sandboxCredentials: true },
      FAST,
    );
    try {
      const invalidator = createCloudFrontInvalidator({
        client,
        distributionId: 'E2ABCDEF123456',
        poll: LOCAL_POLL_DELAY,
        attemptTimeoutMs: 300,
        deadlineMs: 1_000,
      });
      const error = await unreachable(invalidator.invalidate(['/*'], { wait: true, maxWaitSeconds: 3_600 }));
      expect(error.message).toContain(`the CloudFront API at ${url}`);
      expect(error.data).toMatchObject({
        service: 'cloudfront',
        endpoint: url,
        operation: 'CreateInvalidation',
        kind: reason,
        deadlineMs: 1_000,
      });
    } finally {
      client.destroy();
    }
  });

  it('the edge, verify and health check: ENDPOINT_UNREACHABLE naming the site, three attempts', async () => {
    const url = urlOf();
    const verifyError = await unreachable(
      verifyDeployment(fetch, url, commit, true, { sleep: realSleep, timeoutMs: 300 }),
    );
    expect(verifyError.message).toContain(`the site at ${url}`);
    expect(verifyError.data).toMatchObject({ service: 'edge', endpoint: url, kind: reason, attempts: 3 });

    const healthError = await unreachable(
      checkSiteHealth(
        { fetch, sleep: realSleep, now: () => new Date() },
        {
          url,
          commit,
          files: [
            { path: 'index.html', contentType: 'text/html; charset=utf-8' },
            { path: 'version.json', contentType: 'application/json; charset=utf-8' },
          ],
        },
        { timeoutMs: 300 },
      ),
    );
    expect(healthError.message).toContain(`the site at ${url}`);
    expect(healthError.data).toMatchObject({ service: 'edge', endpoint: url, kind: reason, attempts: 3 });
    if (reason === 'no-response') expect(healthError.data).toMatchObject({ timeoutMs: 300 });
  });
});

describe('through the CLI and the MCP servers', () => {
  let scratchConfig: string;

  /** The sandbox config with S3 pointed at `s3Endpoint` and the fast network settings. */
  async function configWithS3(s3Endpoint: string): Promise<string> {
    const config = JSON.parse(await readFile(sandbox().info.configPath, 'utf8')) as ConfigInput;
    const stack = config.stacks[0]!;
    stack.aws = { ...stack.aws, s3Endpoint };
    config.network = FAST;
    scratchConfig = join(sandbox().info.configPath, '..', `dead-s3-${Date.now()}.json`);
    await writeFile(scratchConfig, JSON.stringify(config));
    return scratchConfig;
  }

  async function cli(args: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => {
      out += String(c);
    });
    stderr.on('data', (c) => {
      err += String(c);
    });
    const ctx: CliContext = {
      stdout,
      stderr,
      stdin: new PassThrough(),
      env: { USER: 'dead-endpoint-test', PATH: process.env.PATH },
      cwd: sandbox().info.repoPath,
      now: () => new Date(),
      isTTY: false,
      onShutdown: () => () => {},
    };
    const code = await runCli(args, ctx);
    return { code, out, err };
  }

  it.each(deadEndpoints)(
    'frontendops status with S3 that %s: says what it waits for, then fails naming the endpoint',
    async (_what, urlOf) => {
      const url = urlOf();
      const config = await configWithS3(url);
      const human = await cli(['--config', config, 'status']);
      expect(human.code).toBe(EXIT.FAILURE);
      expect(human.err).toContain(`waiting for S3 at ${url}`);
      expect(human.err).toContain('ENDPOINT_UNREACHABLE');
      expect(human.err).toContain(url);

      const json = await cli(['--config', config, '--json', 'status']);
      expect(json.code).toBe(EXIT.FAILURE);
      expect(JSON.parse(json.out)).toMatchObject({ status: 'failed', code: 'ENDPOINT_UNREACHABLE' });
      expect(JSON.parse(json.out).message).toContain(`S3 at ${url}`);
    },
  );

  it('frontendops deploy with S3 refusing connections: fails naming S3, both buckets unchanged', async () => {
    const before = await bothListings();
    const config = await configWithS3(closedUrl);
    const result = await cli(['--config', config, '--json', 'deploy', '--yes']);
    expect(result.code).toBe(EXIT.FAILURE);
    expect(JSON.parse(result.out)).toMatchObject({ status: 'failed', code: 'ENDPOINT_UNREACHABLE' });
    expect(JSON.parse(result.out).message).toContain(`S3 at ${closedUrl}`);
    expect(await bothListings()).toEqual(before);
  });

  it.each(deadEndpoints)(
    'frontendops publish with S3 that %s: fails within the network settings, naming S3, both buckets unchanged',
    async (_what, urlOf) => {
      // publish used to build its S3 client without the config's network settings: against an endpoint
      // that never answers it waited on the SDK's defaults instead of failing.
      const url = urlOf();
      const before = await bothListings();
      const config = await configWithS3(url);
      const dir = join(sandbox().info.configPath, '..', `dead-s3-site-${Date.now()}`);
      await writeSite(dir, generateSite({ files: 20, version: 2, commit: 'a'.repeat(40) }));
      const result = await cli(['--config', config, '--json', 'publish', dir, '--commit', 'a'.repeat(40)]);
      expect(result.code, result.err).toBe(EXIT.FAILURE);
      expect(JSON.parse(result.out)).toMatchObject({ status: 'failed', code: 'ENDPOINT_UNREACHABLE' });
      expect(JSON.parse(result.out).message).toContain(`S3 at ${url}`);
      expect(await bothListings()).toEqual(before);
    },
  );

  it('invalidate_cdn on the pulumi MCP server with CloudFront refusing: the error keeps its endpoint', async () => {
    const config = JSON.parse(await readFile(sandbox().info.configPath, 'utf8')) as ConfigInput;
    const entry = config.mcpServers?.pulumi;
    if (entry === undefined || !('command' in entry))
      throw new Error('the sandbox config has no stdio pulumi server');
    const connection = await connectMcpServer(
      'pulumi',
      {
        command: entry.command,
        args: entry.args ?? [],
        env: { ...entry.env, AWS_ENDPOINT_URL_CLOUDFRONT: closedUrl },
      },
      {
        agentEnv: process.env,
        clientInfo: { name: 'dead-endpoint-test', version: '0' },
        callTimeoutMs: 60_000,
        // As a session builds it: secrets by name (keys, tokens), not every value handed to the server.
        redactor: createRedactor(secretValuesFromEnv(entry.env ?? {})),
      },
    );
    try {
      const error = await unreachable(
        connection.call('invalidate_cdn', { stackName: STACK, paths: ['/*'], wait: true }),
      );
      expect(error.message).toContain(`the CloudFront API at ${closedUrl}`);
      expect(error.data).toMatchObject({
        service: 'cloudfront',
        endpoint: closedUrl,
        kind: 'refused',
        server: 'pulumi',
        tool: 'invalidate_cdn',
      });
    } finally {
      await connection.close();
    }
  });
});
