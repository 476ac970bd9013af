import { execFile, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const AGENT = join(ROOT, 'agent');
/** The MCP Inspector CLI of this repository's devDependencies (a test tool, not part of the package). */
export const INSPECTOR = join(
  ROOT,
  'node_modules',
  '@modelcontextprotocol',
  'inspector',
  'cli',
  'build',
  'cli.js',
);

const run = promisify(execFile);

/**
 * An environment that knows nothing of this repository: no `node_modules/.bin` on PATH (npm test puts the
 * workspace's own `frontendops` there), no npm_* variables from the npm running the tests, no NODE_PATH.
 * PATH is the installed prefix's bin/, then this Node, then the system.
 */
export function outsideEnv(prefixBin: string, extra: Record<string, string> = {}): Record<string, string> {
  const keep = ['HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'USER', 'LOGNAME', 'XDG_CACHE_HOME'];
  const env: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  env.PATH = [prefixBin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  return { ...env, ...extra };
}

export interface InstalledPackage {
  tarball: string;
  /** `<prefix>/lib/node_modules/@frontendops/agent` */
  packageDir: string;
  bin: string;
}

/**
 * `npm pack` of the agent workspace (its prepack compiles and bundles), then `npm install -g` of that
 * tarball into `<dir>/prefix`, run from `/`. Dependencies come from the npm registry through the npm cache
 * (`--prefer-offline`: the repository's `npm ci` has already fetched every one of them).
 */
export async function packAndInstall(dir: string): Promise<InstalledPackage> {
  const prefix = join(dir, 'prefix');
  const env = outsideEnv(join(prefix, 'bin'));
  await run('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], {
    cwd: AGENT,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [tarball] = (await readdir(dir)).filter((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${dir}`);
  await run(
    'npm',
    [
      'install',
      '--global',
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
  return {
    tarball: join(dir, tarball),
    packageDir: join(prefix, 'lib', 'node_modules', '@frontendops', 'agent'),
    bin: join(prefix, 'bin'),
  };
}

export interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion from `cwd` (default `/`), with a deadline. */
export function runFrom(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<Completed> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? '/', env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
