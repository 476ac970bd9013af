// Runs after `npm ci` / `npm install` at the root:
// 1. installs the sandbox's S3 emulator runtime (fauxqs needs Node >= 22.5; it runs as a child process
//    under a Node 24 binary from the npm registry, kept in its own folder so that binary never shadows
//    the project's Node 20 on PATH);
// 2. compiles the agent so `npx frontendops` works straight after install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`postinstall: ${command} ${args.join(' ')} failed in ${cwd}`);
    process.exit(result.status ?? 1);
  }
}

const runtimeDir = join(root, 'agent', 'sandbox-runtime');
if (process.env.FRONTENDOPS_SKIP_SANDBOX_RUNTIME !== '1') {
  const installed = existsSync(join(runtimeDir, 'node_modules', 'fauxqs', 'package.json'));
  if (!installed) {
    run(npm, ['ci', '--no-audit', '--no-fund', '--ignore-scripts=false'], runtimeDir);
  }
}
if (existsSync(join(root, 'node_modules', 'typescript'))) {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'agent'], root);
}
