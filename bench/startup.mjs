#!/usr/bin/env node
// CLI startup (issue 6): `frontendops --version`, and a cold start to the first MCP tool call — from
// spawning `frontendops ask "what's live?"` to the moment the pulumi server receives its first
// tools/call (the server is spawned by the CLI, so its start is included). Median of 10 runs each,
// printed with ratios: --version against a bare `node -e ''`, the first call against the 1 s target.
//
//   npm run build && node bench/startup.mjs [--runs 10]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'agent', 'bin', 'frontendops.js');
const STUB = join(ROOT, 'bench', 'startup-stub-mcp.mjs');
const TARGET_FIRST_CALL_MS = 1000;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a process to completion; returns its wall time in ms. */
function timeProcess(args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

const dir = await mkdtemp(join(tmpdir(), 'fo-bench-startup-'));
try {
  const baseline = [];
  const version = [];
  for (let i = 0; i < runs; i += 1) {
    baseline.push(await timeProcess(['-e', '']));
    version.push(await timeProcess([CLI, '--version']));
  }

  // A config whose pulumi server is the marking stub; S3 points at a closed loopback port, so the
  // command fails fast after its first MCP call (what happens afterwards is not measured).
  const mark = join(dir, 'first-call.txt');
  const config = join(dir, 'frontendops.config.json');
  await writeFile(
    config,
    JSON.stringify({
      stacks: [
        {
          name: 'dashboard-hosting-prod',
          workDir: dir,
          backend: { kind: 'state', url: `file://${dir}` },
          aws: {
            region: 'us-east-1',
            s3Endpoint: 'http://127.0.0.1:9',
            cloudfrontEndpoint: 'http://127.0.0.1:9',
            forcePathStyle: true,
            sandboxCredentials: true,
          },
        },
      ],
      github: { owner: 'sophia-ai', repo: 'sophia' },
      auditLogPath: join(dir, 'audit.jsonl'),
      mcpServers: {
        pulumi: { command: process.execPath, args: [STUB], env: { FRONTENDOPS_BENCH_MARK: mark } },
        github: { command: process.execPath, args: [STUB], env: {} },
      },
    }),
  );
  const firstCall = [];
  for (let i = 0; i < runs; i += 1) {
    await rm(mark, { force: true });
    const spawnedAt = Date.now();
    await timeProcess([CLI, 'ask', "what's live?", '--config', config], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
    });
    const text = await readFile(mark, 'utf8').catch(() => '');
    const at = Number(text.split('\n')[0]);
    if (!Number.isFinite(at) || at === 0) throw new Error('the stub server never received a tools/call');
    firstCall.push(at - spawnedAt);
  }

  const b = median(baseline);
  const v = median(version);
  const f = median(firstCall);
  const fmt = (ms) => `${Math.round(ms)} ms`.padStart(8);
  console.log(`startup, median of ${runs} runs (Node ${process.version})`);
  console.log(`  node -e ''                       ${fmt(b)}`);
  console.log(`  frontendops --version            ${fmt(v)}   ${(v / b).toFixed(2)}x bare node`);
  console.log(
    `  cold start → first MCP call      ${fmt(f)}   ${(f / TARGET_FIRST_CALL_MS).toFixed(2)}x the ${TARGET_FIRST_CALL_MS} ms target ${f <= TARGET_FIRST_CALL_MS ? '(met)' : '(MISSED)'}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
