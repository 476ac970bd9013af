import { execFile } from 'node:child_process';
import type { Plugin } from 'vite';

/**
 * `version.json` at the site root tells anyone (the deploy engine's verify step, the dashboard header, a
 * human with curl) exactly which commit is being served: `{ "commit": "<40-hex sha>", "builtAt": "<iso>" }`.
 */
export interface VersionInfo {
  commit: string;
  builtAt: string;
}

/** Runs `git rev-parse HEAD` in `cwd`; resolves to stdout. Injected so tests need no git. */
export type GitRevParse = (cwd: string) => Promise<string>;

export interface ResolveVersionOptions {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  gitRevParse: GitRevParse;
  now: () => Date;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

export class VersionResolutionError extends Error {
  override readonly name = 'VersionResolutionError';
}

/** Normalises and checks a commit id; the deploy engine matches on the full lowercase sha. */
function checkedSha(value: string, source: string): string {
  const sha = value.trim().toLowerCase();
  if (!FULL_SHA.test(sha)) {
    throw new VersionResolutionError(
      `${source} is ${JSON.stringify(value)}, which is not a full 40-hex commit sha. ` +
        'Set DASHBOARD_COMMIT to the output of `git rev-parse HEAD`.',
    );
  }
  return sha;
}

/**
 * Build time: `SOURCE_DATE_EPOCH` (the reproducible-builds convention, seconds since the epoch) when set,
 * else the clock.
 */
function builtAtFrom(env: ResolveVersionOptions['env'], now: () => Date): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) {
      throw new VersionResolutionError(
        `SOURCE_DATE_EPOCH is ${JSON.stringify(epoch)}, expected whole seconds`,
      );
    }
    return new Date(Number(epoch) * 1000).toISOString();
  }
  return now().toISOString();
}

/**
 * The commit comes from `DASHBOARD_COMMIT` (set by the demo and the build workflow), else `GITHUB_SHA`
 * (any GitHub Actions job), else `git rev-parse HEAD`. A build that cannot name its commit fails: a
 * `version.json` with a made-up commit would make the deploy engine's verification meaningless.
 */
export async function resolveVersion(options: ResolveVersionOptions): Promise<VersionInfo> {
  const { env } = options;
  const builtAt = builtAtFrom(env, options.now);
  if (env.DASHBOARD_COMMIT) return { commit: checkedSha(env.DASHBOARD_COMMIT, 'DASHBOARD_COMMIT'), builtAt };
  if (env.GITHUB_SHA) return { commit: checkedSha(env.GITHUB_SHA, 'GITHUB_SHA'), builtAt };
  let output: string;
  try {
    output = await options.gitRevParse(options.cwd);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new VersionResolutionError(
      'cannot tell which commit this build is: DASHBOARD_COMMIT is not set and ' +
        `\`git rev-parse HEAD\` failed in ${options.cwd} (${reason}). ` +
        'Set DASHBOARD_COMMIT=<40-hex sha>, or build inside a git checkout that has at least one commit.',
      { cause },
    );
  }
  return { commit: checkedSha(output, '`git rev-parse HEAD`'), builtAt };
}

/** `git rev-parse HEAD` with an argument array — never through a shell. */
export const gitRevParseHead: GitRevParse = (cwd) =>
  new Promise((resolve, reject) => {
    execFile('git', ['rev-parse', '--verify', 'HEAD'], { cwd, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message, { cause: error }));
      else resolve(stdout);
    });
  });

export function serializeVersion(version: VersionInfo): string {
  return `${JSON.stringify({ commit: version.commit, builtAt: version.builtAt }, null, 2)}\n`;
}

export interface VersionJsonPluginOptions {
  env?: ResolveVersionOptions['env'];
  gitRevParse?: GitRevParse;
  now?: () => Date;
}

/**
 * Emits `version.json` next to `index.html`. The commit is resolved in `buildStart`, so a build that
 * cannot name its commit fails before any bundling work. The dev server serves the same file when it can.
 */
export function versionJsonPlugin(options: VersionJsonPluginOptions = {}): Plugin {
  let root = process.cwd();
  let isBuild = false;
  let version: VersionInfo | undefined;
  const resolveFor = (cwd: string) =>
    resolveVersion({
      env: options.env ?? process.env,
      cwd,
      gitRevParse: options.gitRevParse ?? gitRevParseHead,
      now: options.now ?? (() => new Date()),
    });
  return {
    name: 'sophia-version-json',
    configResolved(config) {
      root = config.root;
      isBuild = config.command === 'build';
    },
    async buildStart() {
      if (!isBuild) return;
      try {
        version = await resolveFor(root);
      } catch (error) {
        this.error(error instanceof Error ? error.message : String(error));
      }
    },
    generateBundle() {
      if (!version) return;
      this.emitFile({ type: 'asset', fileName: 'version.json', source: serializeVersion(version) });
    },
    configureServer(server) {
      server.middlewares.use('/version.json', (_req, res) => {
        resolveFor(root).then(
          (current) => {
            res.setHeader('Content-Type', 'application/json');
            res.setHeader('Cache-Control', 'no-cache');
            res.end(serializeVersion(current));
          },
          (error: unknown) => {
            res.statusCode = 404;
            res.end(error instanceof Error ? error.message : String(error));
          },
        );
      });
    },
  };
}
