import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointKey,
  META_YAML,
  META_YAML_KEY,
  renderCheckpoint,
} from '../../../../agent/src/stack/checkpoint.js';
import { sandboxPerFile, sandboxS3Client } from '../../../support/sandbox.js';
import {
  callTool,
  errorCode,
  invalidationCount,
  type McpServerEntry,
  STACK,
  sandboxPulumiEntry,
  stdioClient,
  WORKDIR,
} from './helpers.js';

const { sandbox } = sandboxPerFile();

let entry: McpServerEntry;
let client: Client;
let stderr: () => string;
let closeClient: () => Promise<void>;
let expectedOutputs: Record<string, unknown>;

beforeAll(async () => {
  entry = await sandboxPulumiEntry(sandbox());
  ({ client, stderr, close: closeClient } = await stdioClient(entry));
  const backendDir = fileURLToPath(sandbox().info.pulumiBackendUrl);
  const checkpoint = JSON.parse(
    await readFile(join(backendDir, ...checkpointKey(STACK, STACK).split('/')), 'utf8'),
  );
  expectedOutputs = checkpoint.checkpoint.latest.resources[0].outputs;
});
afterAll(async () => {
  await closeClient?.();
});

describe('frontendops-pulumi-mcp over stdio, on the sandbox (state backend, file://)', () => {
  it('serves the sandbox stack outputs through the config entry the sandbox wrote', async () => {
    const info = sandbox().info;
    const result = await callTool(client, 'pulumi-cli-stack-output', { workDir: WORKDIR, stackName: STACK });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ stackName: STACK, outputs: expectedOutputs });
    expect(expectedOutputs).toMatchObject({
      artifactsBucket: info.artifactsBucket,
      hostingBucket: info.hostingBucket,
      distributionId: info.distributionId,
    });
    const one = await callTool(client, 'pulumi-cli-stack-output', {
      workDir: WORKDIR,
      stackName: STACK,
      outputName: 'syncCommand',
    });
    expect(one.structuredContent).toEqual({
      stackName: STACK,
      outputName: 'syncCommand',
      value: `aws s3 sync s3://${info.artifactsBucket}/builds/{commit}/site/ s3://${info.hostingBucket}/ --delete`,
    });
  });

  it('invalidate_cdn waits for Completed on the sandbox CloudFront API; get_invalidation reads it back', async () => {
    const before = await invalidationCount(sandbox());
    const result = await callTool(client, 'invalidate_cdn', {
      stackName: STACK,
      paths: ['/index.html', '/', '/index.html'],
      wait: true,
      maxWaitSeconds: 30,
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'Completed', paths: ['/index.html', '/'] });
    const { invalidationId } = result.structuredContent as { invalidationId: string };
    expect(await invalidationCount(sandbox())).toBe(before + 1);

    const status = await callTool(client, 'get_invalidation', { stackName: STACK, invalidationId });
    expect(status.structuredContent).toMatchObject({
      invalidationId,
      status: 'Completed',
      paths: ['/index.html', '/'],
    });
    const unknown = await callTool(client, 'get_invalidation', {
      stackName: STACK,
      invalidationId: 'INOPE0000000',
    });
    expect(errorCode(unknown)).toBe('INVALIDATION_NOT_FOUND');
  });

  it.each([
    [
      'a missing stack',
      'pulumi-cli-stack-output',
      { workDir: WORKDIR, stackName: 'staging' },
      'STACK_NOT_FOUND',
    ],
    [
      'an unknown output',
      'pulumi-cli-stack-output',
      { workDir: WORKDIR, stackName: STACK, outputName: 'password' },
      'OUTPUT_NOT_FOUND',
    ],
    ['paths: ["*"]', 'invalidate_cdn', { stackName: STACK, paths: ['*'] }, 'INVALIDATION_REJECTED'],
    [
      '3,001 paths',
      'invalidate_cdn',
      { stackName: STACK, paths: Array.from({ length: 3001 }, (_, i) => `/assets/f${i}.js`) },
      'INVALIDATION_REJECTED',
    ],
    [
      'a missing stack (invalidate)',
      'invalidate_cdn',
      { stackName: 'staging', paths: ['/'] },
      'STACK_NOT_FOUND',
    ],
  ])('%s → isError %s, and no invalidation is created', async (_label, tool, args, code) => {
    const before = await invalidationCount(sandbox());
    expect(errorCode(await callTool(client, tool, args))).toBe(code);
    expect(await invalidationCount(sandbox())).toBe(before);
  });

  it('without a Pulumi CLI, preview, up and refresh fail with PULUMI_CLI_MISSING', async () => {
    for (const tool of ['pulumi-cli-preview', 'pulumi-cli-up', 'pulumi-cli-refresh']) {
      const result = await callTool(client, tool, { workDir: WORKDIR, stackName: STACK });
      expect(errorCode(result), tool).toBe('PULUMI_CLI_MISSING');
    }
  });

  it('logs on stderr only (one line per call, no output values)', () => {
    expect(stderr()).toContain('frontendops-pulumi-mcp: ready (backend state file://');
    expect(stderr()).toContain('pulumi-cli-stack-output: ok');
    expect(stderr()).toContain('invalidate_cdn: INVALIDATION_REJECTED');
    expect(stderr()).not.toContain(sandbox().info.artifactsBucket);
  });
});

describe('a stack whose syncCommand is hostile', () => {
  let dir: string;
  let hostile: Awaited<ReturnType<typeof stdioClient>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frontendops-hostile-state-'));
    const outputs = { ...expectedOutputs, syncCommand: `${String(expectedOutputs.syncCommand)} && rm -rf ~` };
    const file = join(dir, ...checkpointKey(STACK, STACK).split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(join(dir, META_YAML_KEY), META_YAML);
    await writeFile(file, renderCheckpoint(STACK, STACK, outputs, new Date()));
    hostile = await stdioClient(entry, { PULUMI_BACKEND_URL: pathToFileURL(dir).href });
  });
  afterAll(async () => {
    await hostile?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('invalidate_cdn → isError SYNC_COMMAND_REJECTED, and no invalidation is created', async () => {
    const before = await invalidationCount(sandbox());
    const result = await callTool(hostile.client, 'invalidate_cdn', {
      stackName: STACK,
      paths: ['/'],
      wait: true,
    });
    expect(errorCode(result)).toBe('SYNC_COMMAND_REJECTED');
    expect(await invalidationCount(sandbox())).toBe(before);
  });

  it('pulumi-cli-stack-output → isError SYNC_COMMAND_REJECTED', async () => {
    const result = await callTool(hostile.client, 'pulumi-cli-stack-output', {
      workDir: WORKDIR,
      stackName: STACK,
    });
    expect(errorCode(result)).toBe('SYNC_COMMAND_REJECTED');
  });
});

describe('state backend on s3:// (the sandbox S3)', () => {
  let s3Client: Awaited<ReturnType<typeof stdioClient>>;
  const bucket = 'pulumi-state-it';

  beforeAll(async () => {
    const s3 = sandboxS3Client(sandbox());
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `team/${META_YAML_KEY}`, Body: META_YAML }));
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `team/${checkpointKey(STACK, STACK)}`,
          Body: renderCheckpoint(STACK, STACK, expectedOutputs, new Date()),
        }),
      );
    } finally {
      s3.destroy();
    }
    s3Client = await stdioClient(entry, { PULUMI_BACKEND_URL: `s3://${bucket}/team` });
  });
  afterAll(async () => {
    await s3Client?.close();
  });

  it('reads the checkpoint from the bucket prefix with the env credentials and endpoint', async () => {
    const result = await callTool(s3Client.client, 'pulumi-cli-stack-output', {
      workDir: WORKDIR,
      stackName: STACK,
      outputName: 'distributionId',
    });
    expect(result.structuredContent).toEqual({
      stackName: STACK,
      outputName: 'distributionId',
      value: sandbox().info.distributionId,
    });
    expect(
      errorCode(
        await callTool(s3Client.client, 'pulumi-cli-stack-output', { workDir: WORKDIR, stackName: 'x' }),
      ),
    ).toBe('STACK_NOT_FOUND');
  });
});
