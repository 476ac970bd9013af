import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { FrontendOpsError } from '../errors.js';
import { type EmulatorRuntime, machineProbe, missingFromRuntime, resolveEmulatorRuntime } from './runtime.js';
import { RUNTIME_ENV, runtimeLocation } from './runtime-location.js';

/**
 * Installs the sandbox's S3 emulator runtime (fauxqs, and a Node 24 to run it) on first use, or ahead of
 * time with `frontendops sandbox install`. npm installs it from the exact lockfile shipped in the package's
 * `sandbox-runtime/` (`npm ci`, `--prefer-offline`: a warm npm cache needs no network), into a scratch
 * folder beside the target that is renamed into place only once complete — so an interrupted install
 * never leaves a half runtime behind, and two sandboxes starting at once both end up with one runtime.
 */

/** npm's whole run may take this long (a slow registry); npm's own fetch timeouts are shorter. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const OUTPUT_TAIL_BYTES = 8_192;

export interface NpmResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The tail of npm's stdout and stderr. */
  output: string;
}

/** Runs npm with these arguments in `cwd`. Never through a shell. */
export type RunNpm = (args: readonly string[], cwd: string) => Promise<NpmResult>;

export interface NpmInvocationInput {
  execPath: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  exists: (path: string) => boolean;
}

/**
 * How to start npm without a shell: the npm running us (`npm_execpath`, as in a postinstall), else the
 * npm installed beside this Node, else `npm` on PATH (not on Windows, where it is a .cmd). Pure.
 */
export function npmInvocation(input: NpmInvocationInput): { command: string; args: string[] } {
  const fromNpm = input.env.npm_execpath;
  if (fromNpm !== undefined && basename(fromNpm) === 'npm-cli.js' && input.exists(fromNpm)) {
    return { command: input.execPath, args: [fromNpm] };
  }
  const nodeDir = dirname(input.execPath);
  const besideNode =
    input.platform === 'win32'
      ? join(nodeDir, 'node_modules', 'npm', 'bin', 'npm-cli.js')
      : join(nodeDir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (input.exists(besideNode)) return { command: input.execPath, args: [besideNode] };
  if (input.platform === 'win32') {
    throw new FrontendOpsError('SANDBOX_FAILED', `npm was not found beside ${input.execPath}`, {
      hint: 'Install Node.js with its npm, then run `frontendops sandbox install`.',
    });
  }
  return { command: 'npm', args: [] };
}

/** The real npm, its output kept (bounded) for the error message. */
export function spawnNpm(env: NodeJS.ProcessEnv = process.env): RunNpm {
  const npm = npmInvocation({
    execPath: process.execPath,
    env,
    platform: process.platform,
    exists: existsSync,
  });
  return (args, cwd) =>
    new Promise((resolvePromise, reject) => {
      const child = spawn(npm.command, [...npm.args, ...args], {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: INSTALL_TIMEOUT_MS,
        windowsHide: true,
      });
      let output = '';
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('error', (error) =>
        reject(
          new FrontendOpsError('SANDBOX_FAILED', `could not start npm (${npm.command}): ${error.message}`, {
            hint: 'Install npm (it comes with Node.js), then run `frontendops sandbox install`.',
            cause: error,
          }),
        ),
      );
      child.once('close', (code, signal) => resolvePromise({ code, signal, output }));
    });
}

/** `npm ci` for the runtime: exactly the lockfile, the optional Node binary included, no audit noise. */
export const NPM_CI_ARGS = [
  'ci',
  '--prefer-offline',
  '--include=optional',
  '--no-audit',
  '--no-fund',
  '--global=false',
  '--workspaces=false',
  '--loglevel=error',
] as const;

export interface RuntimeManifest {
  /** The folder holding the runtime's package.json and package-lock.json (`<agent>/sandbox-runtime`). */
  dir: string;
  fauxqsVersion: string;
  nodeRange: string;
}

/** Reads what the shipped manifest pins, for the messages. */
export function readRuntimeManifest(agentRoot: string): RuntimeManifest {
  const dir = join(agentRoot, 'sandbox-runtime');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  return {
    dir,
    fauxqsVersion: manifest.dependencies?.fauxqs ?? 'unknown',
    nodeRange: manifest.optionalDependencies?.node ?? 'unknown',
  };
}

function tail(output: string): string {
  const lines = output
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.length === 0 ? '' : `: ${lines.slice(-5).join(' | ')}`;
}

export interface InstallOptions {
  manifest: RuntimeManifest;
  targetDir: string;
  runNpm: RunNpm;
  log: (line: string) => void;
  /** Monotonic milliseconds, for the "installed in" line. */
  clock?: () => number;
  /** Swap out the complete runtime already at `targetDir` (a forced reinstall). */
  replace?: boolean;
}

/** Installs the runtime into `targetDir` (which must not hold a complete runtime yet). */
export async function installRuntime(options: InstallOptions): Promise<void> {
  const { manifest, targetDir, log } = options;
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  log(
    `Installing the sandbox's S3 emulator (fauxqs ${manifest.fauxqsVersion}, and Node ${manifest.nodeRange} to run it) into ${targetDir}`,
  );
  log(
    'from the npm registry: once per version, about 230 MB on disk. `frontendops sandbox install` does this ahead of time.',
  );
  await mkdir(dirname(targetDir), { recursive: true });
  const scratch = await mkdtemp(join(dirname(targetDir), `${basename(targetDir)}.partial-`));
  try {
    await Promise.all(
      ['package.json', 'package-lock.json'].map((file) =>
        copyFile(join(manifest.dir, file), join(scratch, file)),
      ),
    );
    const result = await options.runNpm(NPM_CI_ARGS, scratch);
    if (result.code !== 0) {
      throw new FrontendOpsError(
        'SANDBOX_FAILED',
        `installing the sandbox runtime failed: npm ci exited with ${result.signal ?? `code ${result.code}`}${tail(result.output)}`,
        {
          hint: `Check access to the npm registry (\`npm config get registry\`) and run \`frontendops sandbox install\`; offline, set ${RUNTIME_ENV} to a runtime installed elsewhere.`,
        },
      );
    }
    if (missingFromRuntime(machineProbe(scratch)) === 'fauxqs') {
      throw new FrontendOpsError('SANDBOX_FAILED', 'npm ci finished but fauxqs is missing from the runtime', {
        hint: 'Run `frontendops sandbox install` again.',
      });
    }
    if (options.replace === true) {
      // Two renames rather than a delete-then-install: the runtime is missing only for an instant.
      const old = `${scratch}.old`;
      await rename(targetDir, old).catch(() => undefined);
      await rename(scratch, targetDir);
      await rm(old, { recursive: true, force: true });
      log(`Reinstalled the sandbox runtime in ${((clock() - started) / 1000).toFixed(1)} s.`);
      return;
    }
    try {
      await rename(scratch, targetDir);
    } catch {
      // Another process finished first: keep its runtime, drop ours.
      if (missingFromRuntime(machineProbe(targetDir)) !== 'fauxqs') return;
      // A folder without fauxqs at the target is debris (runtimes only ever arrive complete, by rename).
      await rm(targetDir, { recursive: true, force: true });
      await rename(scratch, targetDir);
    }
    log(`Installed the sandbox runtime in ${((clock() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface EnsureRuntimeOptions {
  agentRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves a relative FRONTENDOPS_SANDBOX_RUNTIME. */
  cwd: string;
  /** Where the progress lines of an install go (stderr in the CLI); silent by default. */
  log?: (line: string) => void;
  /** Install into this folder instead of the default (`frontendops sandbox install --dir`). */
  targetDir?: string;
  /** Install again even when a runtime is there (`frontendops sandbox install --force`). */
  force?: boolean;
  runNpm?: RunNpm;
}

export interface EnsuredRuntime {
  runtime: EmulatorRuntime;
  dir: string;
  /** True when this call installed it. */
  installed: boolean;
}

/**
 * The runtime, installed first when it is missing. A folder named by FRONTENDOPS_SANDBOX_RUNTIME is never
 * installed into: it is the user's, and a missing runtime there is an error that says so.
 */
export async function ensureEmulatorRuntime(options: EnsureRuntimeOptions): Promise<EnsuredRuntime> {
  const manifestDir = join(options.agentRoot, 'sandbox-runtime');
  const location =
    options.targetDir !== undefined
      ? { dir: resolve(options.cwd, options.targetDir), explicit: false }
      : runtimeLocation({
          env: options.env,
          platform: process.platform,
          arch: process.arch,
          home: homedir(),
          lockfile: readFileSync(join(manifestDir, 'package-lock.json'), 'utf8'),
        });
  const dir = resolve(options.cwd, location.dir);
  const hint = location.explicit
    ? `${RUNTIME_ENV}=${dir} holds no runtime: run \`frontendops sandbox install --dir ${dir}\`, or unset ${RUNTIME_ENV}.`
    : 'Run `frontendops sandbox install`.';
  let installed = false;
  const present = missingFromRuntime(machineProbe(dir)) !== 'fauxqs';
  if (!location.explicit && (!present || options.force === true)) {
    await installRuntime({
      manifest: readRuntimeManifest(options.agentRoot),
      targetDir: dir,
      runNpm: options.runNpm ?? spawnNpm(),
      log: options.log ?? (() => undefined),
      replace: present,
    }).catch((error: unknown) => {
      if (error instanceof FrontendOpsError) throw error;
      // The cache folder itself (permissions, a full disk): say where, and how to install elsewhere.
      throw new FrontendOpsError(
        'SANDBOX_FAILED',
        `could not install the sandbox runtime into ${dir}: ${error instanceof Error ? error.message : String(error)}`,
        {
          hint: `Run \`frontendops sandbox install --dir DIR\` with a writable DIR and set ${RUNTIME_ENV}=DIR.`,
          cause: error,
        },
      );
    });
    installed = true;
  }
  return { runtime: resolveEmulatorRuntime(machineProbe(dir), hint), dir, installed };
}
