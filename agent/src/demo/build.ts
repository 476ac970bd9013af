import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FrontendOpsError } from '../errors.js';
import { archiveInto, type RunGit, runGit } from './git.js';
import { DASHBOARD_DIR } from './repo.js';

/**
 * Builds the dashboard exactly as committed: the commit's `sophia-dashboard/` (and the root tsconfig it
 * extends) is copied out of git into a scratch folder, and the installed Vite builds it with
 * `DASHBOARD_COMMIT` set, so `version.json` names the commit whose sources were built. Uncommitted edits in
 * the checkout never reach a build that claims to be a commit, as in the build workflow.
 *
 * The scratch folder lives under the installed project (`<toolRoot>/.sandbox/demo-builds/`, git-ignored):
 * Node's module resolution from the copied sources then walks up to the project's `node_modules`, so the
 * demo can build any clone of the project (`--repo`), even one without `npm ci`, with no symlinks. It is
 * removed after publishing. Chunk hashes do not depend on the folder: the e2e test's re-deploy, built in
 * another scratch folder, copies only the files whose content changed.
 */

/** The files outside `sophia-dashboard/` its build reads: its tsconfig extends the root one. */
const BUILD_INPUTS = [DASHBOARD_DIR, 'tsconfig.json'] as const;
const BUILD_TIMEOUT_MS = 5 * 60_000;
const OUTPUT_TAIL_LINES = 12;

export interface BuildDashboardRequest {
  /** The installed project whose `node_modules` hold Vite and the dashboard's dependencies. */
  toolRoot: string;
  /** The git repository to build from. */
  repoRoot: string;
  commit: string;
  /** Environment for Vite (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface DashboardBuild {
  /** The built site: index.html, version.json, assets/. */
  siteDir: string;
  durationMs: number;
  /** Deletes the scratch folder (sources and site). */
  remove(): Promise<void>;
}

export interface BuildDeps {
  run?: RunGit;
  elapsed?: () => number;
}

/** Vite's CLI script, resolved the way the dashboard's own imports resolve it. */
export function viteBinFor(toolRoot: string): string {
  const require = createRequire(join(toolRoot, DASHBOARD_DIR, 'package.json'));
  let packageJson: string;
  try {
    packageJson = require.resolve('vite/package.json');
  } catch (cause) {
    throw new FrontendOpsError('DASHBOARD_BUILD_FAILED', `Vite is not installed under ${toolRoot}`, {
      hint: `Run \`npm ci\` in ${toolRoot}.`,
      cause,
    });
  }
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin?: string | Record<string, string> };
  const script = typeof bin === 'string' ? bin : bin?.vite;
  if (script === undefined) {
    throw new FrontendOpsError('DASHBOARD_BUILD_FAILED', `${packageJson} names no vite binary`, {
      hint: `Run \`npm ci\` in ${toolRoot}.`,
    });
  }
  return join(dirname(packageJson), script);
}

/**
 * Vite's environment: ours with the commit, and without NODE_ENV (a shell's `development` would make a
 * production build ship React's development code).
 */
export function viteEnv(env: NodeJS.ProcessEnv, commit: string): NodeJS.ProcessEnv {
  const { NODE_ENV: _mode, ...rest } = env;
  return { ...rest, DASHBOARD_COMMIT: commit };
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
}

function runVite(viteBin: string, cwd: string, outDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
      { cwd, env, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const output = tail(`${stdout}\n${stderr}`);
        reject(
          new FrontendOpsError('DASHBOARD_BUILD_FAILED', `vite build failed${output ? `:\n${output}` : ''}`, {
            hint: 'Run `npm ci` at the repository root if dependencies changed; otherwise fix the commit and commit again.',
            cause: error,
          }),
        );
      },
    );
  });
}

export async function buildDashboard(
  request: BuildDashboardRequest,
  deps: BuildDeps = {},
): Promise<DashboardBuild> {
  const run = deps.run ?? runGit;
  const elapsed = deps.elapsed ?? (() => performance.now());
  const started = elapsed();
  const viteBin = viteBinFor(request.toolRoot);
  const parent = join(request.toolRoot, '.sandbox', 'demo-builds');
  await mkdir(parent, { recursive: true });
  const workDir = await mkdtemp(join(parent, 'build-'));
  const remove = () => rm(workDir, { recursive: true, force: true });
  try {
    // Older commits may lack the root tsconfig: archive only what the commit has.
    const present = (
      await run(request.repoRoot, ['ls-tree', '--name-only', request.commit, '--', ...BUILD_INPUTS])
    ).stdout
      .split('\n')
      .filter((name) => name !== '');
    if (!present.includes(DASHBOARD_DIR)) {
      throw new FrontendOpsError(
        'BAD_INPUT',
        `commit ${request.commit.slice(0, 7)} has no ${DASHBOARD_DIR}/`,
        {
          hint: 'Run the demo in a clone of the FrontendOps project.',
        },
      );
    }
    await archiveInto(request.repoRoot, request.commit, present, workDir);
    const siteDir = join(workDir, 'site');
    await runVite(
      viteBin,
      join(workDir, DASHBOARD_DIR),
      siteDir,
      viteEnv(request.env ?? process.env, request.commit),
    );
    return { siteDir, durationMs: elapsed() - started, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
