// Fleet throughput (issue 13 §2): deploys per minute across 1, 2 and 3 agent instances (`frontendops
// mcp --http`, child processes reached over HTTP) against one sandbox with 10 stacks, with the same load each time — one client
// per stack, each deploying the stack's next pre-published commit through a random instance and
// polling it to the end — under 10% seeded S3 faults. Then the full scenario once: 3 instances plus a
// `schedule` process, instance 2 killed (SIGKILL) and restarted half-way, the finish pass and the
// checks. Ratios are against the 1-instance run of the same invocation.
//
//   npm run build && node bench/run.mjs fleet [-- --seconds 60 --stacks 10 --fault-rate 0.1 --write-results]
//
// `--write-results` replaces the fleet section of bench/RESULTS.md with this run's table.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createS3Client } from '@frontendops/agent/dist/aws/clients.js';
import { publishBuild } from '@frontendops/agent/dist/deploy/publish.js';
import { parseSyncCommand } from '@frontendops/agent/dist/deploy/sync-command.js';
import { startSandbox } from '@frontendops/agent/dist/sandbox/index.js';
import { deployTags, type FleetResult, inspectStacks, runFleet } from './fleet-lib.js';

const ROOT =
  process.env.FRONTENDOPS_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const CLI = join(ROOT, 'agent', 'bin', 'frontendops.js');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    stacks: { type: 'string', default: '10' },
    'fault-rate': { type: 'string', default: '0.1' },
    instances: { type: 'string', default: '1,2,3' },
    'write-results': { type: 'boolean', default: false },
    'skip-full': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const stackCount = Number(values.stacks);
const faultRate = Number(values['fault-rate']);
const counts = String(values.instances).split(',').map(Number);

async function siteFor(commit: string, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fo-fleet-site-'));
  const js = `console.log(${JSON.stringify(label)});\n`;
  const hash = createHash('sha256').update(js).digest('hex').slice(0, 8);
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'assets', `app-${hash}.js`), js);
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><title>${label}</title><script src="/assets/app-${hash}.js"></script>\n`,
  );
  await writeFile(join(dir, 'version.json'), JSON.stringify({ commit, builtAt: new Date().toISOString() }));
  return dir;
}

interface Row {
  label: string;
  instances: number;
  deployed: number;
  minutes: number;
  perMinute: number;
  s3PerDeploy: number;
  /** Median time from a job's creation to its end (s). */
  medianJobSeconds: number;
  load: number;
  result: FleetResult;
  checks?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] ?? 0);
}

async function scenario(label: string, instances: number, full: boolean): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'frontendops-bench-fleet-'));
  const sandbox = await startSandbox({
    dir: join(dir, 'sandbox'),
    stacks: stackCount,
    invalidationDelayMs: 50,
  });
  const sync = parseSyncCommand(
    `aws s3 sync s3://${sandbox.info.artifactsBucket}/builds/{commit}/site/ s3://${sandbox.info.hostingBucket}/ --delete`,
  );
  const s3 = createS3Client({
    region: 'us-east-1',
    s3Endpoint: sandbox.info.s3Endpoint,
    forcePathStyle: true,
    sandboxCredentials: true,
  });
  try {
    const publish = async (commit: string, name: string) => {
      const site = await siteFor(commit, name);
      try {
        await publishBuild(
          { s3 },
          { dir: site, commit, sync, stackBuckets: sandbox.info, cacheRules: [], concurrency: 4 },
        );
      } finally {
        await rm(site, { recursive: true, force: true });
      }
    };
    let requestsAtLoad = 0;
    const result = await runFleet({
      dir,
      cli: CLI,
      cwd: ROOT,
      sandbox,
      publish,
      instances,
      schedulers: full ? 1 : 0,
      scheduleCron: '*/5 * * * * *',
      durationMs: seconds * 1000,
      faultRate,
      seed: 13,
      mode: full ? 'latest' : 'commits',
      commits: 30,
      commitEveryMs: 8000,
      killOne: full,
      lockTtlSeconds: 5,
      clients: full ? 4 : stackCount,
      onLoadStart: () => {
        sandbox.resetRequestCounts();
      },
      onLoadEnd: () => {
        requestsAtLoad = Object.values(sandbox.requestCounts()).reduce((a, b) => a + b, 0);
      },
      log: (line) => console.log(`  [${label}] ${line}`),
    });
    const load = loadavg()[0] ?? 0;
    const deployedJobs = result.listed.filter((j) => j.status === 'deployed');
    let checks: string | undefined;
    if (full) {
      const states = await inspectStacks(sandbox, result.stacks);
      const tags = await deployTags(sandbox.info.repoPath);
      const releases = states.reduce((n, s) => n + s.releases.length, 0);
      const broken = states.filter((s) => s.brokenAssets.length > 0 || s.servedCommit !== s.liveCommit);
      const dupes = states.filter((s) => {
        const commits = s.releases.filter((r) => r.kind === 'deploy').map((r) => r.commit);
        return new Set(commits).size !== commits.length;
      });
      const unfinished = result.finalByInstance.flatMap((seen) =>
        Object.values(seen).filter((j) => j.status === 'running' || j.status.startsWith('error')),
      );
      const byTrigger: Record<string, Record<string, number>> = {};
      for (const job of result.listed) {
        const row = byTrigger[job.trigger] ?? {};
        const status = job.code === undefined ? job.status : `${job.status} ${job.code}`;
        row[status] = (row[status] ?? 0) + 1;
        byTrigger[job.trigger] = row;
      }
      checks =
        `${broken.length} stacks not serving their live build whole, ${dupes.length} stacks with a commit deployed twice, ` +
        `${releases} releases (${states.flatMap((s) => s.releases).filter((r) => r.status !== 'complete' && r.status !== 'rolled_back').length} neither complete nor rolled back), ` +
        `${tags.length} tags, ${unfinished.length} job answers unfinished or missing; jobs by trigger and status ${JSON.stringify(byTrigger)}`;
      console.log(`  [${label}] checks: ${checks}`);
    }
    const minutes = result.loadMs / 60_000;
    // Throughput: jobs of the load phase that ended deployed, whoever started them (the finish pass is
    // not counted).
    const deployed = full ? deployedJobs.length - result.stacks.length : result.deployedDuringLoad;
    return {
      label,
      instances,
      deployed,
      minutes,
      perMinute: deployed / minutes,
      s3PerDeploy: deployed === 0 ? 0 : requestsAtLoad / deployed,
      medianJobSeconds:
        median(deployedJobs.flatMap((j) => (j.durationMs === undefined ? [] : [j.durationMs]))) / 1000,
      load,
      result,
      ...(checks === undefined ? {} : { checks }),
    };
  } finally {
    s3.destroy();
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `fleet: ${stackCount} stacks, ${seconds} s of load per run, ${faultRate * 100}% S3 faults (seed 13); ` +
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
const rows: Row[] = [];
for (const n of counts) rows.push(await scenario(`${n} instance${n === 1 ? '' : 's'}`, n, false));
const full = values['skip-full'] ? undefined : await scenario('3 instances + schedule, one killed', 3, true);
const base = rows[0]?.perMinute ?? 0;
const table = [
  '| run | instances | deploys | load (min) | deploys/min | vs 1 instance | S3 requests / deploy | median deploy job (s) | load avg (1 min) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.instances} | ${r.deployed} | ${r.minutes.toFixed(2)} | ${r.perMinute.toFixed(1)} | ${base === 0 ? '–' : `${(r.perMinute / base).toFixed(2)}×`} | ${r.s3PerDeploy.toFixed(0)} | ${r.medianJobSeconds.toFixed(1)} | ${r.load.toFixed(1)} |`,
  ),
];
const fullLine =
  full === undefined
    ? undefined
    : `Full scenario (3 instances, a schedule process on every stack every 5 s, 4 clients asking for "the latest" while a new commit lands every 8 s, instance 2 SIGKILLed and restarted half-way, then one finishing deploy per stack): ${full.deployed} deploys in ${full.minutes.toFixed(2)} min of load (${full.perMinute.toFixed(1)}/min, median deploy job ${full.medianJobSeconds.toFixed(1)} s, load avg ${full.load.toFixed(1)}); checks: ${full.checks}.`;
console.log(table.join('\n'));
if (fullLine !== undefined) console.log(fullLine);

if (values['write-results']) {
  const path = join(ROOT, 'bench', 'RESULTS.md');
  const text = await readFile(path, 'utf8');
  const begin = '<!-- fleet:begin -->';
  const end = '<!-- fleet:end -->';
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const section = `${begin}\nMeasured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}, shared with other work (load average in the table): ${stackCount} stacks, ${seconds} s of load per run, ${faultRate * 100}% S3 faults (seed 13), lock TTL 5 s.\n\n${table.join('\n')}\n${fullLine === undefined ? '' : `\n${fullLine}\n`}${end}`;
  const next = text.includes(begin)
    ? text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), section)
    : `${text.trimEnd()}\n\n## Fleet throughput\n\n${section}\n`;
  await writeFile(path, next);
}
