// The deploy engine against `aws s3 sync`, `rclone sync` and the floor (issue 3 "Benchmark"): a
// realistic 2,000-file build on the sandbox with 20 ms of S3 latency, 5 runs each, median and min–max,
// ratios, and S3 requests by operation. Run through `npm run bench` (bench/run.mjs compiles it), or:
//
//   npm run build && node bench/run.mjs engine [-- --runs 5 --files 2000 --latency-ms 20 --write-results]
//                                               [--baseline <git rev> [--pairs 8]]
//
// `--write-results` replaces the engine section of bench/RESULTS.md with this run's table.
// `--baseline <rev>` also measures the engine of an earlier commit (compiled from `git archive` into a
// temp folder), cold, interleaved with the others, and then in `--pairs` back-to-back cold pairs
// (ABBA order) whose median ratio is what later changes (e.g. the build preflight) cost.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client } from '@frontendops/agent/dist/aws/clients.js';
import { createCloudFrontClient } from '@frontendops/agent/dist/aws/cloudfront-client.js';
import {
  createCloudFrontInvalidator,
  LOCAL_POLL_DELAY,
} from '@frontendops/agent/dist/cdn/cloudfront-invalidator.js';
import { loadConfig, selectStack } from '@frontendops/agent/dist/config/load.js';
import { defaultHeadersFor } from '@frontendops/agent/dist/deploy/cache-rules.js';
import { type DeployReport, runDeploy } from '@frontendops/agent/dist/deploy/pipeline.js';
import { publishBuild } from '@frontendops/agent/dist/deploy/publish.js';
import { readDeployTarget } from '@frontendops/agent/dist/deploy/stack-target.js';
import { buildPrefixFor } from '@frontendops/agent/dist/deploy/sync-command.js';
import { startSandbox } from '@frontendops/agent/dist/sandbox/index.js';
import pLimit from 'p-limit';
import { generateSite, type SiteFile, writeSite } from '../test/support/builds.js';

// Resolved from the source location (bench/engine.ts): the compiled copy runs from a cache folder.
const ROOT = process.env.FRONTENDOPS_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const AWS_CLI = '/usr/bin/aws';
const RCLONE = '/usr/bin/rclone';
const STACK = 'dashboard-hosting-prod';
const CONCURRENCY = 32;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    files: { type: 'string', default: '2000' },
    'latency-ms': { type: 'string', default: '20' },
    pairs: { type: 'string', default: '8' },
    'write-results': { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const FILES = Number(values.files);
const LATENCY_MS = Number(values['latency-ms']);
const PAIRS = Number(values.pairs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
if (!Number.isInteger(FILES) || FILES < 20) throw new Error('--files must be an integer ≥ 20');

type Counts = Record<string, number>;
interface Sample {
  ms: number;
  counts: Counts;
  /** Every S3 request the bench's client sent during the run, named by what it is for (the engine's). */
  named?: Counts;
}
interface Row {
  tool: string;
  mode: 'cold' | 'no-op' | 'incremental';
  samples: Sample[];
  note?: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${file} ${args.slice(0, 2).join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** Debian's awscli (2.x) and rclone, installed when missing; another `aws` on PATH may be 1.x. */
async function ensureTools(): Promise<void> {
  if ((await exists(AWS_CLI)) && (await exists(RCLONE))) return;
  console.error('installing awscli and rclone from Debian (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', 'awscli', 'rclone'], env);
  } catch {
    await run('apt-get', ['update'], env);
    await run('apt-get', ['install', '-y', 'awscli', 'rclone'], env);
  }
}

/** The deploy engine of an earlier commit, as its own compiled copy (only what the bench calls). */
interface BaselineEngine {
  label: string;
  runDeploy: (deps: unknown, request: Record<string, unknown>) => Promise<unknown>;
  publishBuild: (deps: unknown, request: Record<string, unknown>) => Promise<unknown>;
}

async function loadBaseline(rev: string, into: string): Promise<BaselineEngine> {
  const env = { ...process.env };
  const resolved = (await run('git', ['-C', ROOT, 'rev-parse', '--short', rev], env)).trim();
  const tar = join(into, 'baseline.tar');
  await run('git', ['-C', ROOT, 'archive', '-o', tar, resolved, 'agent', 'tsconfig.json'], env);
  await run('tar', ['-xf', tar, '-C', into], env);
  await symlink(join(ROOT, 'node_modules'), join(into, 'node_modules'));
  await run(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(into, 'agent')],
    env,
  );
  const dist = join(into, 'agent', 'dist');
  const pipeline = await import(pathToFileURL(join(dist, 'deploy', 'pipeline.js')).href);
  const publish = await import(pathToFileURL(join(dist, 'deploy', 'publish.js')).href);
  return { label: resolved, runDeploy: pipeline.runDeploy, publishBuild: publish.publishBuild };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const commitFor = (v: number) => createHash('sha1').update(`bench-${v}`).digest('hex');

async function main(): Promise<void> {
  await ensureTools();
  const dir = await mkdtemp(join(tmpdir(), 'frontendops-bench-'));
  const sandbox = await startSandbox({ dir: join(dir, 'sandbox'), latencyMs: 0, invalidationDelayMs: 0 });
  try {
    const loaded = await loadConfig(sandbox.info.configPath);
    const stack = selectStack(loaded.config, STACK);
    const { outputs, sync, buckets } = await readDeployTarget(stack);
    const s3: S3Client = createS3Client(stack.aws);
    // Names each request the engine sends by its purpose, so the report can enumerate them.
    let requestLog: string[] | undefined;
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        requestLog?.push(
          requestPurpose(context.commandName ?? '', args.input as RequestInput, sync.destination.bucket),
        );
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestPurpose' },
    );
    const invalidator = createCloudFrontInvalidator({
      client: createCloudFrontClient(stack.aws),
      distributionId: outputs.distributionId,
      poll: LOCAL_POLL_DELAY,
    });
    const hosting = sync.destination.bucket;
    const artifacts = sync.source.bucket;

    // ---- builds: v1 … v(RUNS+1); each differs from the one before in exactly 10 files -------------
    console.error(`generating and publishing ${RUNS + 1} builds of ${FILES} files…`);
    const sites = new Map<number, SiteFile[]>();
    for (let v = 1; v <= RUNS + 1; v += 1) {
      const files = generateSite({ files: FILES, version: v, commit: commitFor(v), churn: 4 });
      sites.set(v, files);
      const siteDir = join(dir, `v${v}`);
      await writeSite(siteDir, files);
      await publishBuild(
        { s3 },
        { dir: siteDir, commit: commitFor(v), sync, stackBuckets: buckets, cacheRules: [], concurrency: 64 },
      );
      await rm(siteDir, { recursive: true, force: true });
    }
    const v1 = sites.get(1)!;
    const bytes = v1.reduce((sum, f) => sum + f.content.length, 0);
    const sizes = v1.map((f) => f.content.length).sort((a, b) => a - b);
    const diff = (a: SiteFile[], b: SiteFile[]) => {
      const before = new Map(a.map((f) => [f.path, f.content]));
      return b.filter((f) => !before.get(f.path)?.equals(f.content)).length;
    };
    const changed = diff(v1, sites.get(2)!);

    // ---- the baseline engine, if asked: its own build of v1 (its own manifest schema) -------------
    const baselineCommit = createHash('sha1').update('bench-baseline-1').digest('hex');
    const baseline = values.baseline === undefined ? undefined : await loadBaseline(values.baseline, dir);
    if (baseline) {
      console.error(`compiled the baseline engine of ${baseline.label}; publishing its build…`);
      const siteDir = join(dir, 'baseline-v1');
      // v1's files, with version.json naming the baseline's commit (verify checks it).
      await writeSite(siteDir, generateSite({ files: FILES, version: 1, commit: baselineCommit, churn: 4 }));
      await baseline.publishBuild(
        { s3 },
        // stackBuckets: ignored by engines that predate it, required by later ones.
        {
          dir: siteDir,
          commit: baselineCommit,
          sync,
          stackBuckets: buckets,
          cacheRules: [],
          concurrency: 64,
        },
      );
      await rm(siteDir, { recursive: true, force: true });
    }

    // ---- helpers --------------------------------------------------------------------------------
    const listKeys = async (bucket: string, prefix = ''): Promise<string[]> => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    };
    const deleteKeys = async (bucket: string, keys: string[]) => {
      for (let i = 0; i < keys.length; i += 1000) {
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
          }),
        );
      }
    };
    /** Empty hosting bucket, no release records, no lock: a cold start for every tool. */
    const reset = async () => {
      sandbox.setLatency(0);
      await deleteKeys(hosting, await listKeys(hosting));
      await deleteKeys(artifacts, [
        ...(await listKeys(artifacts, 'releases/')),
        ...(await listKeys(artifacts, 'locks/')),
      ]);
      sandbox.setLatency(LATENCY_MS);
    };
    const measure = async (work: () => Promise<unknown>): Promise<Sample> => {
      sandbox.resetRequestCounts();
      const log: string[] = [];
      requestLog = log;
      const started = performance.now();
      try {
        await work();
      } finally {
        requestLog = undefined;
      }
      const named: Counts = {};
      for (const purpose of log) named[purpose] = (named[purpose] ?? 0) + 1;
      return { ms: performance.now() - started, counts: sandbox.requestCounts(), named };
    };

    const engineDeploy = (v: number): Promise<DeployReport> =>
      runDeploy(
        { s3, invalidator },
        {
          stack: STACK,
          commit: commitFor(v),
          sync,
          stackBuckets: buckets,
          url: outputs.url,
          trigger: 'cli',
          requestedBy: 'bench',
          dryRun: false,
          keepReleases: 3,
          concurrency: CONCURRENCY,
          lockTtlSeconds: 900,
          cacheRules: [],
          invalidation: { collapseAbove: 25, maxWaitSeconds: 60 },
        },
      ).then((report) => {
        if (report.status === 'deployed' && report.verify.status !== 'passed')
          throw new Error(`verify ${report.verify.status}: ${report.verify.note}`);
        return report;
      });

    const baselineDeploy = (): Promise<unknown> =>
      baseline!.runDeploy(
        { s3, invalidator },
        {
          stack: STACK,
          commit: baselineCommit,
          sync,
          stackBuckets: buckets,
          url: outputs.url,
          trigger: 'cli',
          requestedBy: 'bench',
          dryRun: false,
          keepReleases: 3,
          concurrency: CONCURRENCY,
          lockTtlSeconds: 900,
          cacheRules: [],
          invalidation: { collapseAbove: 25, maxWaitSeconds: 60 },
        },
      );

    const awsEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: 'sandbox',
      AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(dir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    };
    await writeFile(
      join(dir, 'aws-config'),
      '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n',
    );
    await writeFile(join(dir, 'aws-credentials'), '');
    const awsSync = (v: number) =>
      run(
        AWS_CLI,
        [
          's3',
          'sync',
          `s3://${artifacts}/${buildPrefixFor(sync, commitFor(v))}`,
          `s3://${hosting}/`,
          '--delete',
          '--endpoint-url',
          sandbox.info.s3Endpoint,
          '--only-show-errors',
          '--no-progress',
        ],
        awsEnv,
      );

    // rclone refuses to start while AWS_CA_BUNDLE is set, so its environment is built from scratch.
    const rcloneEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      RCLONE_CONFIG: join(dir, 'rclone.conf'),
      RCLONE_CONFIG_SBX_TYPE: 's3',
      RCLONE_CONFIG_SBX_PROVIDER: 'Other',
      RCLONE_CONFIG_SBX_ENDPOINT: sandbox.info.s3Endpoint,
      RCLONE_CONFIG_SBX_ACCESS_KEY_ID: 'sandbox',
      RCLONE_CONFIG_SBX_SECRET_ACCESS_KEY: 'sandbox-secret',
      RCLONE_CONFIG_SBX_REGION: 'us-east-1',
      RCLONE_CONFIG_SBX_FORCE_PATH_STYLE: 'true',
    };
    await writeFile(join(dir, 'rclone.conf'), '');
    const rcloneSync = (v: number) =>
      run(
        RCLONE,
        ['sync', `sbx:${artifacts}/${buildPrefixFor(sync, commitFor(v))}`, `sbx:${hosting}/`, '--quiet'],
        rcloneEnv,
      );

    const floorCopy = async (v: number) => {
      const limit = pLimit(CONCURRENCY);
      const prefix = buildPrefixFor(sync, commitFor(v));
      await Promise.all(
        sites.get(v)!.map((f) =>
          limit(() =>
            s3.send(
              new CopyObjectCommand({
                Bucket: hosting,
                Key: f.path,
                CopySource: `${artifacts}/${prefix}${f.path.split('/').map(encodeURIComponent).join('/')}`,
              }),
            ),
          ),
        ),
      );
    };

    /** What a tool left behind: wrong headers and a stale version.json are correctness failures. */
    const audit = async (v: number): Promise<string[]> => {
      sandbox.setLatency(0);
      const problems: string[] = [];
      for (const path of ['index.html', 'version.json', v1.find((f) => f.path.endsWith('.js'))!.path]) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: hosting, Key: path }));
        const want = defaultHeadersFor(path);
        if (head.CacheControl !== want.cacheControl)
          problems.push(`${path}: Cache-Control ${head.CacheControl ?? 'missing'}`);
        if (head.ContentType !== want.contentType)
          problems.push(`${path}: Content-Type ${head.ContentType ?? 'missing'}`);
      }
      const want = sites.get(v)!.find((f) => f.path === 'version.json')!.content;
      const head = await s3.send(new HeadObjectCommand({ Bucket: hosting, Key: 'version.json' }));
      const md5 = `"${createHash('md5').update(want).digest('hex')}"`;
      if (head.ETag !== md5) problems.push('version.json is stale (same size, older mtime: skipped)');
      sandbox.setLatency(LATENCY_MS);
      return problems;
    };

    // Round robin: run i of every tool back to back, so load from elsewhere on the machine hits all
    // tools alike instead of whichever happened to run during it.
    interface Tool {
      name: string;
      sync: (v: number) => Promise<unknown>;
      cold: Sample[];
      noop: Sample[];
      incremental: Sample[];
      problems: { cold: string[]; noop: string[]; incremental: string[] };
      coldOnly?: boolean;
    }
    const tool = (name: string, sync1: (v: number) => Promise<unknown>, coldOnly = false): Tool => ({
      name,
      sync: sync1,
      cold: [],
      noop: [],
      incremental: [],
      problems: { cold: [], noop: [], incremental: [] },
      coldOnly,
    });
    const tools: Tool[] = [
      tool('engine', engineDeploy),
      tool('aws s3 sync', awsSync),
      tool('rclone sync', rcloneSync),
      tool(`floor (bare CopyObject ×${CONCURRENCY})`, floorCopy, true),
      ...(baseline ? [tool(`engine at ${baseline.label} (baseline)`, baselineDeploy, true)] : []),
    ];
    for (let i = 0; i < RUNS; i += 1) {
      console.error(`round ${i + 1} of ${RUNS}…`);
      for (const t of tools) {
        await reset();
        t.cold.push(await measure(() => t.sync(1)));
        if (t.coldOnly) continue;
        if (i === RUNS - 1) t.problems.cold = await audit(1);
        t.noop.push(await measure(() => t.sync(1)));
        if (i === RUNS - 1) t.problems.noop = await audit(1);
        // incremental: release i+1 on top of release i+2's predecessor, each from a clean start
        await reset();
        await t.sync(i + 1);
        t.incremental.push(await measure(() => t.sync(i + 2)));
        if (i === RUNS - 1) t.problems.incremental = await audit(i + 2);
      }
    }
    // ---- what the newer engine costs over the baseline: back-to-back cold pairs, in ABBA order so a
    // drift in machine load hits both alike; the median of the per-pair ratios -----------------------
    const pairRatios: number[] = [];
    const pairMs = { engine: [] as number[], baseline: [] as number[] };
    if (baseline) {
      for (let i = 0; i < PAIRS; i += 1) {
        console.error(`pair ${i + 1} of ${PAIRS} (engine vs ${baseline.label})…`);
        const order = i % 2 === 0 ? (['engine', 'baseline'] as const) : (['baseline', 'engine'] as const);
        const ms = { engine: 0, baseline: 0 };
        for (const which of order) {
          await reset();
          ms[which] = (await measure(() => (which === 'engine' ? engineDeploy(1) : baselineDeploy()))).ms;
        }
        pairMs.engine.push(ms.engine);
        pairMs.baseline.push(ms.baseline);
        pairRatios.push(ms.engine / ms.baseline);
      }
    }

    const rows: Row[] = [];
    for (const t of tools) {
      const note = (p: string[]) => (p.length ? { note: p.join('; ') } : {});
      rows.push({ tool: t.name, mode: 'cold', samples: t.cold, ...note(t.problems.cold) });
      if (t.coldOnly) continue;
      rows.push({ tool: t.name, mode: 'no-op', samples: t.noop, ...note(t.problems.noop) });
      rows.push({
        tool: t.name,
        mode: 'incremental',
        samples: t.incremental,
        ...note(t.problems.incremental),
      });
    }

    // ---- report ---------------------------------------------------------------------------------
    const med = (tool: string, mode: Row['mode']) => {
      const row = rows.find((r) => r.tool.startsWith(tool) && r.mode === mode);
      return row ? median(row.samples.map((s) => s.ms)) : Number.NaN;
    };
    const faster = (other: number, mine: number) => `${(other / mine).toFixed(2)}×`;
    const fmtCounts = (c: Counts) =>
      Object.entries(c)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
    const lines: string[] = [];
    const cpu = cpus();
    lines.push(
      `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GB RAM, Node ${process.version}, ` +
        `aws-cli ${(await run(AWS_CLI, ['--version'], awsEnv)).split(' ')[0]?.split('/')[1]}, ${(await run(RCLONE, ['version'], rcloneEnv)).split('\n')[0]}. Date: ${new Date().toISOString().slice(0, 10)}.`,
    );
    lines.push(
      `Build: ${v1.length} files, ${(bytes / 1024 ** 2).toFixed(1)} MB (${sizes[0]} B … ${(sizes.at(-1)! / 1024 ** 2).toFixed(2)} MB); ` +
        `incremental = ${changed} changed files per release. Sandbox S3 latency ${LATENCY_MS} ms per request; ${RUNS} runs each. ` +
        `Engine concurrency ${CONCURRENCY} (config default); aws and rclone with their defaults (10 requests; 4 transfers + 8 checkers).`,
    );
    lines.push('');
    lines.push(
      '| tool | mode | median | min – max | engine faster than it by | S3 requests (last run) | correctness |',
    );
    lines.push('|---|---|---|---|---|---|---|');
    for (const row of rows) {
      const ms = row.samples.map((s) => s.ms);
      const mine = med('engine', row.mode);
      const ratio =
        row.tool === 'engine'
          ? '—'
          : row.tool.startsWith('floor')
            ? `${(mine / median(ms)).toFixed(2)}× the floor`
            : row.tool.startsWith('engine at')
              ? `${(((mine - median(ms)) / median(ms)) * 100).toFixed(1)}% slower than it`
              : faster(median(ms), mine);
      lines.push(
        `| ${row.tool} | ${row.mode} | ${seconds(median(ms))} | ${seconds(Math.min(...ms))} – ${seconds(Math.max(...ms))} | ${ratio} | ${fmtCounts(row.samples.at(-1)!.counts)} | ${row.note ?? 'headers and content right'} |`,
      );
    }
    const engineRows = rows.filter((r) => r.tool === 'engine');
    const coldAws = med('aws', 'cold') / med('engine', 'cold');
    const coldRclone = med('rclone', 'cold') / med('engine', 'cold');
    const coldFloor = med('engine', 'cold') / med('floor', 'cold');
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    lines.push('');
    lines.push('Targets:');
    lines.push(`- cold ≥ 2× faster than aws s3 sync: ${coldAws.toFixed(2)}× — ${verdict(coldAws >= 2)}`);
    lines.push(`- cold ≥ 1.5× faster than rclone: ${coldRclone.toFixed(2)}× — ${verdict(coldRclone >= 1.5)}`);
    lines.push(`- cold ≤ 1.2× the floor: ${coldFloor.toFixed(2)}× — ${verdict(coldFloor <= 1.2)}`);
    if (baseline) {
      const added = median(pairRatios) - 1;
      lines.push(
        `- a cold deploy costs ≤ 5% more than the engine at ${baseline.label}: ${added >= 0 ? '+' : ''}${(added * 100).toFixed(1)}% — median of ${PAIRS} back-to-back cold pairs (per pair: ${pairRatios.map((r) => `${((r - 1) * 100).toFixed(0)}%`).join(', ')}; medians ${seconds(median(pairMs.engine))} vs ${seconds(median(pairMs.baseline))}) — ${verdict(added <= 0.05)}`,
      );
    }
    // Request budgets: every request beyond the listings and the copies, named (see RESULTS.md).
    const noopNamed = engineRows.find((r) => r.mode === 'no-op')!.samples.at(-1)!.named ?? {};
    const incNamed = engineRows.find((r) => r.mode === 'incremental')!.samples.map((s) => s.named ?? {});
    const noopOther = beyondListing(noopNamed);
    lines.push(
      `- no-op = hosting listing + ${NOOP_BUDGET} reads (build.json, the journal): listing ${noopNamed[HOSTING_LISTING] ?? 0} page(s) + ${noopOther} (${describe(noopNamed, false)}) — ${verdict(noopOther <= NOOP_BUDGET)}`,
    );
    const incOther = incNamed.map(beyondListing);
    const incBudget = incNamed.map(incrementalBudget);
    const incCopies = incNamed.map((c) => c[COPY] ?? 0);
    lines.push(
      `- incremental = listings + ${changed} copies + the journal's enumerated minimum (${INCREMENTAL_FIXED} + one read per history entry shown in deployments.json, up to ${HISTORY_SHOWN}, + a fence when the copies outlast the fence window): copies ${incCopies.join('/')}, other requests ${incOther.join('/')} against ${incBudget.join('/')} — ${verdict(incOther.every((n, i) => n <= incBudget[i]!) && incCopies.every((n) => n === changed))}`,
    );
    lines.push(`  - last incremental run, by purpose: ${describe(incNamed.at(-1)!, true)}`);
    lines.push('');
    lines.push('Notes:');
    lines.push(
      '- The engine rows are the whole pipeline: lock, manifest, release record and history, CloudFront invalidation and its wait (the sandbox completes invalidations at once here; real CloudFront takes seconds to minutes, which no row includes), verification of version.json through the edge, unlock. The other tools only copy.',
    );
    lines.push(
      "- aws s3 sync compares size and modification time: in the incremental run it skips version.json, whose new content has the same size and an older timestamp, so the site keeps announcing the previous commit. It also deletes the previous release's chunks at once.",
    );
    lines.push(
      '- rclone decides by size and modification time too; where they differ it re-copies server-side to set its mtime metadata, and that copy drops Cache-Control (and it re-copies all 2,000 files whenever a new build was published, since every object of the new build has a new timestamp). Speed without correctness is not a win: those rows would serve hashed assets without their immutable caching.',
    );
    lines.push(
      '- Runs are interleaved (run i of every tool back to back) because the machine is shared; the spread in min – max is mostly other load, which hits every tool alike.',
    );
    const table = lines.join('\n');
    console.log(table);
    if (values['write-results']) await writeResults(table);
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- what each request of a deploy is for -------------------------------------------------------
interface RequestInput {
  Bucket?: string;
  Key?: string;
  Prefix?: string;
}
const COPY = 'copy';
const HOSTING_LISTING = 'hosting listing page';
const LISTINGS = [HOSTING_LISTING, 'build listing page (preflight)', 'history listing page'];
const PRUNE = 'prune batch (DeleteObjects)';
/** The no-op's reads beyond the hosting listing: build.json and the journal. */
const NOOP_BUDGET = 2;
/**
 * An incremental release's requests beyond the listings and the copies, each one needed by the
 * journal's guarantees (bench/RESULTS.md names why): reads — build.json, the journal before the lock
 * and under it (3); writes — the lock, the pending record, its history entry, the `copied` record,
 * deployments.json, the complete record, its history entry, the unlock (8).
 */
const INCREMENTAL_FIXED = 11;
/** deployments.json shows this many releases: one history entry read per earlier release, up to it. */
const HISTORY_SHOWN = 20;

function requestPurpose(command: string, input: RequestInput, hostingBucket: string): string {
  const op = command.replace(/Command$/, '');
  const key = input.Key ?? '';
  const prefix = input.Prefix ?? '';
  if (op === 'CopyObject' || op === 'UploadPartCopy') return COPY;
  if (op === 'DeleteObjects') return PRUNE;
  if (op === 'ListObjectsV2') {
    if (input.Bucket === hostingBucket) return HOSTING_LISTING;
    if (prefix.startsWith('builds/')) return 'build listing page (preflight)';
    if (prefix.startsWith('releases/') && prefix.endsWith('/history/')) return 'history listing page';
  }
  if (key.startsWith('locks/'))
    return op === 'PutObject' ? 'lock write' : op === 'DeleteObject' ? 'unlock' : `lock ${op}`;
  if (key.endsWith('/build.json') && op === 'GetObject') return 'build.json read';
  if (key.startsWith('releases/') && key.endsWith('/current.json'))
    return op === 'GetObject' ? 'journal read' : op === 'PutObject' ? 'journal write' : `journal ${op}`;
  if (key.startsWith('releases/') && key.includes('/history/'))
    return op === 'GetObject'
      ? 'history entry read'
      : op === 'PutObject'
        ? 'history entry write'
        : `history ${op}`;
  if (key.endsWith('deployments.json') && op === 'PutObject') return 'deployments.json write';
  return `${op} ${key || prefix}`;
}

/** Requests beyond the listings, the copies and the prune. */
function beyondListing(named: Counts): number {
  return Object.entries(named).reduce(
    (sum, [purpose, n]) =>
      purpose === COPY || purpose === PRUNE || LISTINGS.includes(purpose) ? sum : sum + n,
    0,
  );
}

/** The enumerated minimum for one incremental run: fixed, history reads, and the index.html fence. */
function incrementalBudget(named: Counts): number {
  const fence = (named['lock write'] ?? 0) > 1 ? 1 : 0;
  return INCREMENTAL_FIXED + Math.min(named['history entry read'] ?? 0, HISTORY_SHOWN) + fence;
}

function describe(named: Counts, all: boolean): string {
  return Object.entries(named)
    .filter(([purpose]) => all || (purpose !== COPY && purpose !== PRUNE && !LISTINGS.includes(purpose)))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([purpose, n]) => `${purpose} ${n}`)
    .join(', ');
}

const START = '<!-- engine:start -->';
const END = '<!-- engine:end -->';

async function writeResults(table: string): Promise<void> {
  const path = join(ROOT, 'bench', 'RESULTS.md');
  const section = `${START}\n## Deploy engine (\`bench/engine.ts\`)\n\n${table}\n${END}`;
  const current = await readFile(path, 'utf8').catch(() => '# Benchmark results\n');
  const next =
    current.includes(START) && current.includes(END)
      ? `${current.slice(0, current.indexOf(START))}${section}${current.slice(current.indexOf(END) + END.length)}`
      : `${current.trimEnd()}\n\n${section}\n`;
  await writeFile(path, next);
  console.error(`wrote ${path}`);
}

await main();
