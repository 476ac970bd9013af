import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../agent/src/aws/clients.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../agent/src/sandbox/index.js';

export interface TestSandbox {
  sandbox: Sandbox;
  dir: string;
  stop(): Promise<void>;
}

/** Starts a sandbox in a fresh temp dir; `stop()` stops it and removes the dir. */
export async function startTestSandbox(options: Omit<SandboxOptions, 'dir'> = {}): Promise<TestSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'frontendops-sandbox-'));
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ ...options, dir });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    sandbox,
    dir,
    stop: async () => {
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Vitest helper: a sandbox for the whole file, started in `beforeAll` and stopped in `afterAll`.
 * Read it inside tests (`const { sandbox } = sandboxPerFile(); ... sandbox().info`).
 */
export function sandboxPerFile(options: Omit<SandboxOptions, 'dir'> = {}): {
  sandbox: () => Sandbox;
  dir: () => string;
} {
  let current: TestSandbox | undefined;
  beforeAll(async () => {
    current = await startTestSandbox(options);
  });
  afterAll(async () => {
    await current?.stop();
  });
  const get = (): TestSandbox => {
    if (current === undefined)
      throw new Error('the sandbox is not started yet (use it inside a test or hook)');
    return current;
  };
  return { sandbox: () => get().sandbox, dir: () => get().dir };
}

/** An S3 client for the sandbox, configured as production code configures one (path-style, SigV4). */
export function sandboxS3Client(sandbox: Sandbox, overrides: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: sandbox.info.s3Endpoint,
    forcePathStyle: true,
    credentials: { ...SANDBOX_CREDENTIALS },
    ...overrides,
  });
}

export function sandboxCloudFrontClient(sandbox: Sandbox): CloudFrontClient {
  return new CloudFrontClient({
    region: 'us-east-1',
    endpoint: sandbox.info.cloudfrontEndpoint,
    credentials: { ...SANDBOX_CREDENTIALS },
  });
}
