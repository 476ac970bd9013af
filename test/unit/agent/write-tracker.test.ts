import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { WriteTracker } from '../../../agent/src/agent/write-tracker.js';
import type { McpServerConnection } from '../../../agent/src/mcp/client.js';

/** An S3 client whose every request fails to connect: what is counted is what was sent. */
function unreachableS3(): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      },
    },
  });
}

describe('WriteTracker', () => {
  it('counts S3 commands other than reads, sent even if they failed', async () => {
    const tracker = new WriteTracker();
    const s3 = unreachableS3();
    tracker.watchS3(s3);
    tracker.watchS3(s3); // watching twice counts once
    await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })).catch(() => undefined);
    await s3.send(new ListObjectsV2Command({ Bucket: 'b' })).catch(() => undefined);
    expect(tracker.count()).toBe(0);
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' })).catch(() => undefined);
    expect(tracker.count()).toBe(1);
  });

  it('counts calls to MCP tools not marked read-only', async () => {
    const tracker = new WriteTracker();
    const calls: string[] = [];
    const connection = {
      name: 'github',
      alive: true,
      connectMs: 1,
      listTools: async () => [
        { name: 'list_tags', annotations: { readOnlyHint: true } },
        { name: 'create_tag', annotations: { readOnlyHint: false, destructiveHint: false } },
        { name: 'unannotated' },
      ],
      call: async (tool: string) => {
        calls.push(tool);
        return { structured: undefined, text: '' };
      },
      close: async () => undefined,
    } as unknown as McpServerConnection;
    const source = tracker.watchTools({ get: async () => connection });
    const github = await source.get('github');
    await github.call('list_tags', {});
    expect(tracker.count()).toBe(0);
    await github.call('create_tag', {});
    await github.call('unannotated', {});
    expect(tracker.count()).toBe(2);
    expect(calls).toEqual(['list_tags', 'create_tag', 'unannotated']);
  });
});
