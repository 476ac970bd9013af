import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FrontendOpsError } from '../errors.js';
import { SANDBOX_RUNTIME_DIR } from './paths.js';

/** fauxqs statically imports `node:sqlite`, which exists from Node 22.5 on. */
export const MIN_EMULATOR_NODE = [22, 5] as const;

export interface EmulatorRuntime {
  /** The Node binary that runs the emulator child process. */
  nodePath: string;
  /** file:// URL of fauxqs's `dist/app.js` (it exports `buildApp`). */
  fauxqsAppUrl: string;
}

export interface RuntimeProbe {
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

/**
 * Finds fauxqs and a Node >= 22.5 to run it. Order: the Node binary the root postinstall installed into
 * `agent/sandbox-runtime` (kept off PATH on purpose so it never shadows the project's Node), else the current
 * Node when it is new enough (platforms where the `node` npm package ships no binary).
 */
export function resolveEmulatorRuntime(probe: RuntimeProbe = defaultProbe()): EmulatorRuntime {
  const modules = join(probe.runtimeDir, 'node_modules');
  const fauxqsApp = join(modules, 'fauxqs', 'dist', 'app.js');
  const hint =
    'Install the sandbox runtime: run `npm ci` at the repository root, or `node scripts/postinstall.mjs`.';
  if (!probe.exists(fauxqsApp)) {
    throw new FrontendOpsError(
      'SANDBOX_FAILED',
      `the S3 emulator (fauxqs) is not installed at ${fauxqsApp}`,
      {
        hint,
      },
    );
  }
  // The binary itself, not the `.bin` shim: on Windows the shim is a .cmd, which cannot be spawned without a shell.
  const bundledNode = join(modules, 'node', 'bin', probe.platform === 'win32' ? 'node.exe' : 'node');
  const nodePath = probe.exists(bundledNode)
    ? bundledNode
    : nodeVersionAtLeast(probe.nodeVersion, MIN_EMULATOR_NODE)
      ? probe.execPath
      : undefined;
  if (nodePath === undefined) {
    throw new FrontendOpsError(
      'SANDBOX_FAILED',
      `the S3 emulator needs Node >= ${MIN_EMULATOR_NODE.join('.')}; found neither ${bundledNode} nor a new enough current Node (${probe.nodeVersion})`,
      { hint },
    );
  }
  return { nodePath, fauxqsAppUrl: pathToFileURL(fauxqsApp).href };
}

function defaultProbe(): RuntimeProbe {
  return {
    runtimeDir: SANDBOX_RUNTIME_DIR,
    exists: existsSync,
    execPath: process.execPath,
    nodeVersion: process.version,
    platform: process.platform,
  };
}
