#!/usr/bin/env node
// CLI start-up (issue 11 §5): how long `frontendops status`, `frontendops history` and `frontendops
// --version` take, wall clock from spawn to exit, on a sandbox with one deployed release — with both MCP
// servers real child processes over stdio, started from each build's own bins as its config says.
//
// Three builds side by side, runs interleaved (run i of every build back to back, so load from other
// processes hits them alike):
//   baseline  the agent as it was before the start-up work (a git ref, default below), compiled from
//             `git archive` into a temp folder with this repository's node_modules;
//   checkout  this clone's agent/dist (what `npm ci` builds; tests run it);
//   package   the packed tarball installed with `npm install -g` into a temp prefix (what users run).
// Prints medians and each build's speed-up over the baseline, and checks the target: status and history
// of the package at most 1.0 s and at least 2.5x faster than the baseline.
//
//   npm run build && node bench/startup.mjs [--runs 10] [--baseline <git ref>] [--no-package]
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Node 20 is the supported runtime; the AWS SDK's notice about 2027 would interleave with the table.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/** The last commit before the start-up work (issue 11 §5): "today's numbers". */
const DEFAULT_BASELINE = '098536f1565bc71e9da619552953f2efbec3eedc';
const TARGET_MS = 1000;
const TARGET_SPEEDUP = 2.5;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    baseline: { type: 'string', default: DEFAULT_BASELINE },
    'no-package': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

const exec = promisify(execFile);
const median = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs a command to completion; resolves with its wall time, or rejects with its output on failure. */
function timed(command, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: tmpdir(), env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/** An environment that cannot see this repository (no node_modules/.bin on PATH, no npm_* variables). */
function cleanEnv(extraPath = []) {
  const env = {};
  for (const key of ['HOME', 'TMPDIR', 'LANG', 'USER', 'LOGNAME', 'XDG_CACHE_HOME']) {
    if (process.env[key] !== undefined) env[key] = process.env[key];
  }
  env.PATH = [...extraPath, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  env.FRONTENDOPS_REQUESTER = 'bench';
  return env;
}

/** The baseline: `git archive <ref>` of the agent, compiled with this clone's TypeScript and node_modules. */
async function buildBaseline(dir, ref) {
  const target = join(dir, 'baseline');
  await mkdir(target, { recursive: true });
  const archive = join(dir, 'baseline.tar');
  await exec('git', ['-C', ROOT, 'archive', '--format=tar', '-o', archive, ref, 'agent', 'tsconfig.json']);
  await exec('tar', ['-xf', archive, '-C', target]);
  await symlink(join(ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
  await exec(process.execPath, [
    join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-b',
    join(target, 'agent'),
  ]);
  return join(target, 'agent', 'bin');
}

/** The package: `npm pack` of the workspace, installed into an empty prefix from `/`. */
async function installPackage(dir) {
  const env = cleanEnv();
  await mkdir(dir, { recursive: true });
  await exec('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], {
    cwd: join(ROOT, 'agent'),
    env,
  });
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  const prefix = join(dir, 'prefix');
  await exec(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      join(dir, tarball),
    ],
    { cwd: '/', env, maxBuffer: 16 * 1024 * 1024 },
  );
  return join(prefix, 'lib', 'node_modules', '@frontendops', 'agent', 'bin');
}

/**
 * A sandbox with one published build of its scratch repo's head, deployed and tagged by the baseline:
 * newer builds read its release record (as one written before the release journal), while the
 * baseline's stricter schema refuses the journal's record, so the oldest build has to write it.
 */
async function sandboxWithRelease(dir, deployBin) {
  const { startSandbox } = await import(
    pathToFileURL(join(ROOT, 'agent', 'dist', 'sandbox', 'index.js')).href
  );
  const sandbox = await startSandbox({ dir: join(dir, 'sandbox') });
  const { stdout } = await exec('git', ['-C', sandbox.info.repoPath, 'rev-parse', 'HEAD']);
  const commit = stdout.trim();
  const site = join(dir, 'site');
  await mkdir(site, { recursive: true });
  await writeFile(join(site, 'index.html'), '<!doctype html><title>bench</title><p>bench</p>\n');
  await writeFile(join(site, 'version.json'), `${JSON.stringify({ commit })}\n`);
  const cli = join(deployBin, 'frontendops.js');
  const env = cleanEnv();
  const config = ['--config', await configFor(sandbox, 'deployer', deployBin, dir)];
  await timed(process.execPath, [cli, 'publish', site, '--commit', commit, ...config], env);
  await timed(process.execPath, [cli, 'deploy', '--yes', ...config], env);
  return sandbox;
}

/** The sandbox's config with its MCP servers started from `binDir` (each build runs its own servers). */
async function configFor(sandbox, name, binDir, dir) {
  const config = JSON.parse(await readFile(sandbox.info.configPath, 'utf8'));
  for (const entry of Object.values(config.mcpServers)) {
    entry.args = entry.args.map((arg) => join(binDir, arg.split('/').pop()));
  }
  const path = join(dir, `${name}.config.json`);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

const dir = await mkdtemp(join(tmpdir(), 'fo-bench-startup-'));
let sandbox;
try {
  console.log(
    `preparing: baseline ${values.baseline.slice(0, 12)}, checkout, ${values['no-package'] ? 'no package' : 'package'}…`,
  );
  const builds = [
    { name: 'baseline', bin: await buildBaseline(dir, values.baseline) },
    { name: 'checkout', bin: join(ROOT, 'agent', 'bin') },
  ];
  if (!values['no-package']) builds.push({ name: 'package', bin: await installPackage(join(dir, 'pack')) });
  sandbox = await sandboxWithRelease(dir, builds[0].bin);
  const env = cleanEnv();
  for (const build of builds) {
    build.config = await configFor(sandbox, build.name, build.bin, dir);
    build.samples = { version: [], status: [], history: [] };
  }
  const commands = {
    version: (b) => [join(b.bin, 'frontendops.js'), '--version'],
    status: (b) => [join(b.bin, 'frontendops.js'), 'status', '--config', b.config],
    history: (b) => [join(b.bin, 'frontendops.js'), 'history', '--config', b.config],
  };
  const loadStart = loadavg();
  // One unmeasured round: the first start of each build pays for cold file caches.
  for (const build of builds)
    for (const make of Object.values(commands)) await timed(process.execPath, make(build), env);
  for (let i = 0; i < runs; i += 1) {
    for (const build of builds) {
      for (const [what, make] of Object.entries(commands)) {
        build.samples[what].push(await timed(process.execPath, make(build), env));
      }
    }
  }

  const base = builds[0];
  const fmt = (ms) => `${Math.round(ms)} ms`.padStart(9);
  const load = (values) => values.map((v) => v.toFixed(2)).join(' ');
  console.log(`\nstart-up, median of ${runs} runs, wall clock spawn → exit (Node ${process.version})`);
  console.log(
    `  ${cpus().length} cores; load average ${load(loadStart)} at the start of the runs, ${load(loadavg())} at the end`,
  );
  console.log(
    `  ${'build'.padEnd(10)}${'--version'.padStart(9)}${'status'.padStart(18)}${'history'.padStart(18)}`,
  );
  for (const build of builds) {
    const cells = ['version', 'status', 'history'].map((what) => {
      const m = median(build.samples[what]);
      const ratio = build === base ? '' : `${(median(base.samples[what]) / m).toFixed(2)}x`;
      return `${fmt(m)} ${ratio.padStart(6)}`;
    });
    console.log(`  ${build.name.padEnd(10)}${cells[0]}${cells[1]}${cells[2]}`);
  }
  const target = builds.find((b) => b.name === 'package') ?? builds.find((b) => b.name === 'checkout');
  let met = true;
  for (const what of ['status', 'history']) {
    const m = median(target.samples[what]);
    const speedup = median(base.samples[what]) / m;
    const ok = m <= TARGET_MS && speedup >= TARGET_SPEEDUP;
    met &&= ok;
    console.log(
      `  target ${what} (${target.name}): ${Math.round(m)} ms ≤ ${TARGET_MS} ms and ${speedup.toFixed(2)}x ≥ ${TARGET_SPEEDUP}x — ${ok ? 'met' : 'MISSED'}`,
    );
  }
  console.log(
    `  (speed-up = baseline median / build median, per column; ${met ? 'targets met' : 'a target was missed'})`,
  );
} finally {
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
}
