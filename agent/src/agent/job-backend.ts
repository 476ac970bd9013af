import type { S3Client } from '@aws-sdk/client-s3';
import { type JobStore, s3JobStore } from '../deploy/job-store.js';
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
 * The job backend over S3: each stack's jobs, lock and release journal in its artifacts bucket. The
 * bucket is learned once per stack and process (a stack's artifacts bucket does not move under a
 * running agent; a deploy still checks it against the stack outputs every time).
 */
export function s3JobBackend(options: S3JobBackendOptions): JobBackend {
  const runner = options.runner ?? createRequestRunner({ sleep: realSleep });
  const opened = new Map<string, Promise<StackStorage>>();
  const open = (stack: string): Promise<StackStorage> => {
    let storage = opened.get(stack);
    if (storage === undefined) {
      storage = options.openStack(stack);
      opened.set(stack, storage);
      // A failed lookup (a server that was down) is not remembered.
      storage.catch(() => opened.delete(stack));
    }
    return storage;
  };
  const stores = new Map<string, JobStore>();
  return {
    stacks: options.stacks,
    async store(stack) {
      const { s3, artifactsBucket } = await open(stack);
      let store = stores.get(stack);
      if (store === undefined) {
        store = s3JobStore(s3, runner, artifactsBucket);
        stores.set(stack, store);
      }
      return store;
    },
    async lock(stack) {
      const { s3, artifactsBucket } = await open(stack);
      return readLockView(s3, runner, artifactsBucket, stack, options.now);
    },
    async release(stack, ref) {
      const { s3, artifactsBucket } = await open(stack);
      return readReleaseView(s3, runner, artifactsBucket, stack, ref);
    },
  };
}
