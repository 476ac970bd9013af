import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';

/**
 * Where the sandbox's S3 emulator runtime lives. It is not part of the agent package (it takes ~230 MB, and
 * only the sandbox needs it): `npm ci` installs it from the manifest the package ships in
 * `sandbox-runtime/` into a per-user cache folder, once per runtime version, shared by every copy of the
 * agent on the machine (installed packages and clones alike). `FRONTENDOPS_SANDBOX_RUNTIME` points at a
 * runtime installed elsewhere (`frontendops sandbox install --dir DIR`), for machines without the registry.
 */

export const RUNTIME_ENV = 'FRONTENDOPS_SANDBOX_RUNTIME';

export interface LocationInput {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  arch: string;
  home: string;
  /** The shipped `sandbox-runtime/package-lock.json`: the runtime's identity. */
  lockfile: string;
}

/** The per-user cache folder of the platform (XDG on Linux and other Unixes). Pure. */
export function userCacheDir(input: Pick<LocationInput, 'env' | 'platform' | 'home'>): string {
  const { env, platform, home } = input;
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA;
    return local !== undefined && isAbsolute(local) ? local : join(home, 'AppData', 'Local');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Caches');
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  return xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.cache');
}

/**
 * `<cache>/frontendops/sandbox-runtime-<platform>-<arch>-<12 hex of the lockfile's sha256>`: a new pin of
 * fauxqs or Node gets a new folder, and a home shared between machines never mixes binaries. Pure.
 */
export function defaultRuntimeDir(input: LocationInput): string {
  const id = createHash('sha256').update(input.lockfile).digest('hex').slice(0, 12);
  return join(userCacheDir(input), 'frontendops', `sandbox-runtime-${input.platform}-${input.arch}-${id}`);
}

export interface RuntimeLocation {
  dir: string;
  /** True when the folder came from FRONTENDOPS_SANDBOX_RUNTIME: it is used as is, never installed into. */
  explicit: boolean;
}

/** FRONTENDOPS_SANDBOX_RUNTIME when set (an absolute path), else the per-user default. Pure. */
export function runtimeLocation(input: LocationInput): RuntimeLocation {
  const explicit = input.env[RUNTIME_ENV];
  if (explicit !== undefined && explicit !== '') return { dir: explicit, explicit: true };
  return { dir: defaultRuntimeDir(input), explicit: false };
}
