#!/usr/bin/env node
// Latency of `pulumi-cli-stack-output` over real stdio on the `state` backend (issue 4): 1,000 calls
// from the MCP SDK client to `node agent/bin/frontendops-pulumi-mcp.js`, each reading the checkpoint of
// a file:// self-managed backend afresh (no cache: a `pulumi up` between two calls is always seen).
// Prints p50/p99 and their ratios to the targets (p50 ≤ 5 ms, p99 ≤ 20 ms; the seed target was 100 ms).
//
//   npm run build && node bench/mcp-latency.mjs [--calls 1000]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { checkpointFilePath, META_YAML, renderCheckpoint } from '../agent/dist/stack/checkpoint.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'agent', 'bin', 'frontendops-pulumi-mcp.js');
const WORKDIR = join(ROOT, 'stacks', 'dashboard-hosting-prod');
const STACK = 'dashboard-hosting-prod';
const TARGET_P50_MS = 5;
const TARGET_P99_MS = 20;
const SEED_TARGET_MS = 100;
const WARMUP = 50;

const { values } = parseArgs({ options: { calls: { type: 'string', default: '1000' } } });
const calls = Number(values.calls);
if (!Number.isInteger(calls) || calls < 1) throw new Error('--calls must be a positive integer');

const OUTPUTS = {
  artifactsBucket: 'sophia-dashboard-build-artifacts-1a2b',
  hostingBucket: 'sophia-dashboard-hosting-prod-3c4d',
  distributionId: 'E2ABCDEF123456',
  url: 'https://d111111abcdef8.cloudfront.net',
  syncCommand:
    'aws s3 sync s3://sophia-dashboard-build-artifacts-1a2b/builds/{commit}/site/ s3://sophia-dashboard-hosting-prod-3c4d/ --delete',
  invalidateCommand: 'aws cloudfront create-invalidation --distribution-id E2ABCDEF123456 --paths "/*"',
  buildRoleArn: 'arn:aws:iam::123456789012:role/sophia-dashboard-build',
  deployerRoleArn: 'arn:aws:iam::123456789012:role/sophia-dashboard-deployer',
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (ms) => `${ms.toFixed(2)} ms`;
const ratio = (value, target) => `${(value / target).toFixed(2)}× target`;

const dir = await mkdtemp(join(tmpdir(), 'frontendops-bench-state-'));
let client;
try {
  const file = checkpointFilePath(dir, STACK, STACK);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(join(dir, '.pulumi', 'meta.yaml'), META_YAML);
  await writeFile(file, renderCheckpoint(STACK, STACK, OUTPUTS, new Date()));

  const started = performance.now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN],
    env: { ...getDefaultEnvironment(), PULUMI_BACKEND_URL: pathToFileURL(dir).href },
    stderr: 'ignore',
  });
  client = new Client({ name: 'frontendops-bench', version: '0.0.0' });
  await client.connect(transport);
  const connectMs = performance.now() - started;

  const args = { workDir: WORKDIR, stackName: STACK, outputName: 'syncCommand' };
  for (let i = 0; i < WARMUP; i += 1)
    await client.callTool({ name: 'pulumi-cli-stack-output', arguments: args });

  const samples = [];
  for (let i = 0; i < calls; i += 1) {
    const t0 = performance.now();
    const result = await client.callTool({ name: 'pulumi-cli-stack-output', arguments: args });
    samples.push(performance.now() - t0);
    if (result.isError || result.structuredContent?.value !== OUTPUTS.syncCommand) {
      throw new Error(`call ${i} returned an unexpected result: ${JSON.stringify(result).slice(0, 300)}`);
    }
  }
  samples.sort((a, b) => a - b);
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;

  console.log(
    `mcp-latency: ${calls} pulumi-cli-stack-output calls over stdio, state backend (file://), ${WARMUP} warm-up calls`,
  );
  console.log(`  spawn + initialize   ${fmt(connectMs)}`);
  console.log(
    `  p50                  ${fmt(p50)}   ${ratio(p50, TARGET_P50_MS)} (≤ ${TARGET_P50_MS} ms)   ${ratio(p50, SEED_TARGET_MS).replace('target', 'seed target')}`,
  );
  console.log(
    `  p99                  ${fmt(p99)}   ${ratio(p99, TARGET_P99_MS)} (≤ ${TARGET_P99_MS} ms)   ${ratio(p99, SEED_TARGET_MS).replace('target', 'seed target')}`,
  );
  console.log(`  mean / max           ${fmt(mean)} / ${fmt(samples[samples.length - 1])}`);
  console.log(`  targets              ${p50 <= TARGET_P50_MS && p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}`);
} finally {
  await client?.close();
  await rm(dir, { recursive: true, force: true });
}
