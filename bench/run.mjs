#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/, one after another, each in its own process.
// A benchmark is `bench/<name>.mjs` (run as is) or `bench/<name>.ts` (compiled first with
// bench/tsconfig.json into node_modules/.cache/frontendops-bench). Helpers that are not benchmarks
// carry `stub` or `lib` in their name. `node bench/run.mjs engine startup` runs only those; flags after
// `--` go to every benchmark run.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const OUT = join(ROOT, 'node_modules', '.cache', 'frontendops-bench');

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const names = dash === -1 ? argv.filter((a) => !a.startsWith('-')) : argv.slice(0, dash);
const passThrough = dash === -1 ? argv.filter((a) => a.startsWith('-')) : argv.slice(dash + 1);

function runNode(args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const entries = (await readdir(BENCH))
  .filter((f) => /^[a-z0-9-]+\.(mjs|ts)$/.test(f) && f !== 'run.mjs' && !/stub|lib/.test(f))
  .map((f) => ({ file: f, name: f.replace(/\.(mjs|ts)$/, '') }))
  .filter((e) => names.length === 0 || names.includes(e.name))
  .sort((a, b) => a.name.localeCompare(b.name));
if (entries.length === 0) throw new Error(`no benchmark named ${names.join(', ')}`);

if (entries.some((e) => e.file.endsWith('.ts'))) {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const code = await runNode([tsc, '-p', join(BENCH, 'tsconfig.json')]);
  if (code !== 0) process.exit(code);
}

let failed = 0;
for (const entry of entries) {
  console.log(`\n=== bench/${entry.file} ===`);
  const script = entry.file.endsWith('.ts')
    ? join(OUT, 'bench', `${entry.name}.js`)
    : join(BENCH, entry.file);
  const code = await runNode([script, ...passThrough], { ...process.env, FRONTENDOPS_ROOT: ROOT });
  if (code !== 0) {
    failed += 1;
    console.error(`bench/${entry.file} failed (exit ${code})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
