import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FrontendOpsError } from '../errors.js';

/** fauxqs statically imports `node:sqlite`, which exists from Node 22.5 on. */
export const MIN_EMULATOR_NODE = [22, 5] as const;

export interface EmulatorRuntime {
  /** The Node binary that runs the emulator child process. */
  nodePath: string;
  /** file:// URL of fauxqs's `dist/app.js` (it exports `buildApp`). */
  fauxqsAppUrl: string;
}

export interface RuntimeProbe {
  /** The folder `npm ci` installed the runtime into (it holds `node_modules/`). */
  runtimeDir: string;
  exists: (path: string) => boolean;
  /** The current process's Node binary and version, the fallback when it is new enough. */
  execPath: string;
  nodeVersion: string;
  platform: NodeJS.Platform;
}

export function nodeVersionAtLeast(version: string, minimum: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}

/** Where fauxqs's app module sits in an installed runtime. */
export function fauxqsAppPath(runtimeDir: string): string {
  return join(runtimeDir, 'node_modules', 'fauxqs', 'dist', 'app.js');
}

/**
 * The Node binary of the runtime's `node` package. The binary itself, not the `.bin` shim: on Windows the
 * shim is a .cmd, which cannot be spawned without a shell.
 */
export function bundledNodePath(runtimeDir: string, platform: NodeJS.Platform): string {
  return join(runtimeDir, 'node_modules', 'node', 'bin', platform === 'win32' ? 'node.exe' : 'node');
}

/** What is missing from a runtime folder, if anything: `fauxqs`, or a Node >= 22.5 to run it. */
export function missingFromRuntime(probe: RuntimeProbe): 'fauxqs' | 'node' | undefined {
  if (!probe.exists(fauxqsAppPath(probe.runtimeDir))) return 'fauxqs';
  if (probe.exists(bundledNodePath(probe.runtimeDir, probe.platform))) return undefined;
  return nodeVersionAtLeast(probe.nodeVersion, MIN_EMULATOR_NODE) ? undefined : 'node';
}

/**
 * Finds fauxqs and a Node >= 22.5 to run it in an installed runtime folder. Order: the Node binary the
 * runtime's optional `node` package installed (kept off PATH on purpose, so it never shadows the Node the
 * agent runs on), else the current Node when it is new enough (platforms where the `node` package ships no
 * binary). `hint` says how to install the runtime where it was looked for.
 */
export function resolveEmulatorRuntime(probe: RuntimeProbe, hint: string): EmulatorRuntime {
  const fauxqsApp = fauxqsAppPath(probe.runtimeDir);
  const missing = missingFromRuntime(probe);
  if (missing === 'fauxqs') {
    throw new FrontendOpsError(
      'SANDBOX_FAILED',
      `the S3 emulator (fauxqs) is not installed at ${fauxqsApp}`,
      { hint },
    );
  }
  const bundledNode = bundledNodePath(probe.runtimeDir, probe.platform);
  if (missing === 'node') {
    throw new FrontendOpsError(
      'SANDBOX_FAILED',
      `the S3 emulator needs Node >= ${MIN_EMULATOR_NODE.join('.')}; found neither ${bundledNode} nor a new enough current Node (${probe.nodeVersion})`,
      { hint: `Run the agent on Node ${MIN_EMULATOR_NODE.join('.')} or newer, or: ${hint}` },
    );
  }
  const nodePath = probe.exists(bundledNode) ? bundledNode : probe.execPath;
  return { nodePath, fauxqsAppUrl: pathToFileURL(fauxqsApp).href };
}

/** The probe of the real machine for one runtime folder. */
export function machineProbe(runtimeDir: string): RuntimeProbe {
  return {
    runtimeDir,
    exists: existsSync,
    execPath: process.execPath,
    nodeVersion: process.version,
    platform: process.platform,
  };
}
