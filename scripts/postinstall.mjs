// Runs after `npm ci` / `npm install` in a clone (never for the installed package, which has no such script):
// 1. compiles the agent, so `npx --no -- frontendops` and the tests work straight after install;
// 2. installs the sandbox's S3 emulator runtime with the agent's own `frontendops sandbox install` — the
//    same command, and the same per-user cache folder, as for the installed package — so `npm test` and
//    `npm run demo` never download in the middle of a run. FRONTENDOPS_SKIP_SANDBOX_RUNTIME=1 skips it
//    (CI jobs that never start a sandbox); the first `sandbox start` then installs it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`postinstall: node ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
// `npm ci --omit=dev` has no TypeScript: nothing to compile, and no agent to install the runtime with.
if (!existsSync(tsc)) process.exit(0);
run([tsc, '-b', 'agent']);
if (process.env.FRONTENDOPS_SKIP_SANDBOX_RUNTIME !== '1') {
  run([join(root, 'agent', 'bin', 'frontendops.js'), 'sandbox', 'install']);
}
