import type { S3Client } from '@aws-sdk/client-s3';
import { s3JobStore } from '../deploy/job-store.js';
import { createRequestRunner, type RequestRunner, realSleep } from '../deploy/requests.js';
import { readLockView, readReleaseView } from './job-journal.js';
import type { JobBackend } from './jobs.js';

/** Where one stack's jobs live: its artifacts bucket (from the stack outputs) and an S3 client. */
export interface StackStorage {
  s3: S3Client;
  artifactsBucket: string;
}

export interface S3JobBackendOptions {
  stacks: readonly string[];
  /** Learns a stack's artifacts bucket (through the pulumi MCP server) and its S3 client. */
  openStack(stack: string): Promise<StackStorage>;
  now: () => Date;
  runner?: RequestRunner;
}

/**
 * The job backend over S3: each stack's jobs, lock and release journal in its artifacts bucket, with
 * the S3 client and bucket `openStack` gives (the caller caches the bucket lookup).
 */
export function s3JobBackend(options: S3JobBackendOptions): JobBackend {
  const runner = options.runner ?? createRequestRunner({ sleep: realSleep });
  return {
    stacks: options.stacks,
    async store(stack) {
      const { s3, artifactsBucket } = await options.openStack(stack);
      return s3JobStore(s3, runner, artifactsBucket);
    },
    async lock(stack) {
      const { s3, artifactsBucket } = await options.openStack(stack);
      return readLockView(s3, runner, artifactsBucket, stack, options.now);
    },
    async release(stack, ref) {
      const { s3, artifactsBucket } = await options.openStack(stack);
      return readReleaseView(s3, runner, artifactsBucket, stack, ref);
    },
  };
}
