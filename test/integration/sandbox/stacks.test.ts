import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateInvalidationCommand,
  GetDistributionCommand,
  waitUntilInvalidationCompleted,
} from '@aws-sdk/client-cloudfront';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../agent/src/config/load.js';
import { type Sandbox, startSandbox } from '../../../agent/src/sandbox/index.js';
import { checkpointFilePath, outputsFromCheckpoint } from '../../../agent/src/stack/checkpoint.js';
import { HOSTING_PROJECT, parseStackOutputs } from '../../../agent/src/stack/outputs.js';
import { sandboxCloudFrontClient, sandboxS3Client } from '../../support/sandbox.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frontendops-sandbox-stacks-'));
  dirs.push(dir);
  return dir;
}

async function stackOutputsOnDisk(sandbox: Sandbox, stack: string) {
  const backendDir = fileURLToPath(sandbox.info.pulumiBackendUrl);
  const text = await readFile(checkpointFilePath(backendDir, HOSTING_PROJECT, stack), 'utf8');
  return parseStackOutputs(outputsFromCheckpoint(text), stack);
}

async function putIndex(sandbox: Sandbox, bucket: string, body: string): Promise<void> {
  const s3 = sandboxS3Client(sandbox);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'index.html',
        Body: body,
        ContentType: 'text/html; charset=utf-8',
        CacheControl: 'max-age=300',
      }),
    );
  } finally {
    s3.destroy();
  }
}

async function page(url: string): Promise<string> {
  const response = await fetch(`${url}/`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('a sandbox hosting several stacks', () => {
  it('gives each stack its own hosting bucket, distribution, edge and Pulumi stack, sharing the artifacts bucket', async () => {
    const sandbox = await startSandbox({ dir: await tempDir(), stacks: 3, invalidationDelayMs: 50 });
    try {
      const { info } = sandbox;
      const stacks = info.stacks ?? [];
      expect(stacks.map((s) => s.name)).toEqual([
        'dashboard-hosting-prod',
        'dashboard-hosting-prod-2',
        'dashboard-hosting-prod-3',
      ]);
      // The first stack is the one the one-stack fields describe.
      expect(stacks[0]).toEqual({
        name: 'dashboard-hosting-prod',
        hostingBucket: info.hostingBucket,
        distributionId: info.distributionId,
        edgeUrl: info.edgeUrl,
      });
      for (const key of ['hostingBucket', 'distributionId', 'edgeUrl'] as const) {
        expect(new Set(stacks.map((s) => s[key])).size).toBe(3);
      }

      const { config } = await loadConfig(info.configPath);
      expect(config.stacks.map((s) => s.name)).toEqual(stacks.map((s) => s.name));
      for (const stack of stacks) {
        const outputs = await stackOutputsOnDisk(sandbox, stack.name);
        expect(outputs).toMatchObject({
          artifactsBucket: info.artifactsBucket,
          hostingBucket: stack.hostingBucket,
          distributionId: stack.distributionId,
          url: stack.edgeUrl,
        });
        expect(outputs.syncCommand).toBe(
          `aws s3 sync s3://${info.artifactsBucket}/builds/{commit}/site/ s3://${stack.hostingBucket}/ --delete`,
        );
      }

      // Each edge serves its own bucket.
      for (const [i, stack] of stacks.entries())
        await putIndex(sandbox, stack.hostingBucket, `<h1>v1 of ${i}</h1>`);
      for (const [i, stack] of stacks.entries())
        expect(await page(stack.edgeUrl)).toBe(`<h1>v1 of ${i}</h1>`);

      // New content everywhere; only distribution 2 is invalidated: only its edge shows it.
      for (const [i, stack] of stacks.entries())
        await putIndex(sandbox, stack.hostingBucket, `<h1>v2 of ${i}</h1>`);
      const cloudfront = sandboxCloudFrontClient(sandbox);
      try {
        const second = stacks[1];
        if (second === undefined) throw new Error('three stacks expected');
        const created = await cloudfront.send(
          new CreateInvalidationCommand({
            DistributionId: second.distributionId,
            InvalidationBatch: { CallerReference: 'stacks-1', Paths: { Quantity: 1, Items: ['/*'] } },
          }),
        );
        await waitUntilInvalidationCompleted(
          { client: cloudfront, minDelay: 1, maxDelay: 1, maxWaitTime: 30 },
          { DistributionId: second.distributionId, Id: created.Invalidation?.Id ?? '' },
        );
        expect(await page(stacks[0]?.edgeUrl ?? '')).toBe('<h1>v1 of 0</h1>');
        expect(await page(second.edgeUrl)).toBe('<h1>v2 of 1</h1>');
        expect(await page(stacks[2]?.edgeUrl ?? '')).toBe('<h1>v1 of 2</h1>');

        for (const stack of stacks) {
          const distribution = await cloudfront.send(
            new GetDistributionCommand({ Id: stack.distributionId }),
          );
          expect(distribution.Distribution?.DomainName).toBe(new URL(stack.edgeUrl).host);
        }
        await expect(
          cloudfront.send(new GetDistributionCommand({ Id: 'ENOSUCHDIST0001' })),
        ).rejects.toMatchObject({ name: 'NoSuchDistribution' });
      } finally {
        cloudfront.destroy();
      }
    } finally {
      await sandbox.stop();
    }
  });

  it('keeps every stack’s bucket and distribution across persisted starts', async () => {
    const dir = await tempDir();
    const first = await startSandbox({ dir, stacks: 2, persist: true });
    const before = first.info.stacks;
    await putIndex(first, before?.[1]?.hostingBucket ?? '', '<h1>kept</h1>');
    await first.stop();
    const second = await startSandbox({ dir, stacks: 2, persist: true });
    try {
      const after = second.info.stacks ?? [];
      expect(second.info.artifactsBucket).toBe(first.info.artifactsBucket);
      expect(after.map((s) => [s.name, s.hostingBucket, s.distributionId])).toEqual(
        (before ?? []).map((s) => [s.name, s.hostingBucket, s.distributionId]),
      );
      expect(await page(after[1]?.edgeUrl ?? '')).toBe('<h1>kept</h1>');
    } finally {
      await second.stop();
    }
  });

  it('refuses a stack count outside 1..32 before starting anything', async () => {
    const dir = await tempDir();
    await expect(startSandbox({ dir, stacks: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(startSandbox({ dir, stacks: 33 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
