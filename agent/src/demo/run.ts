import { join, relative, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type Answer, dispatchIntent } from '../agent/dispatch.js';
import { routeIntent, wordsMandate } from '../agent/intent.js';
import { displayText, short } from '../agent/report.js';
import { createS3Client } from '../aws/clients.js';
import type { CliContext } from '../cli/context.js';
import { EXIT, type ExitCode, exitCodeFor } from '../cli/exit-codes.js';
import { writeJson } from '../cli/output.js';
import { openSession, progressPrinter } from '../cli/support.js';
import { loadConfig, selectStack } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { StackBuckets } from '../deploy/bound-target.js';
import { readBuildManifest } from '../deploy/manifest.js';
import { publishBuild } from '../deploy/publish.js';
import { readCurrentRelease } from '../deploy/releases.js';
import { BUILD_MANIFEST_SCHEMA } from '../deploy/schemas.js';
import { readDeployTarget } from '../deploy/stack-target.js';
import type { SyncCommand } from '../deploy/sync-command.js';
import { FrontendOpsError } from '../errors.js';
import { type Sandbox, type SandboxDeps, type SandboxOptions, startSandbox } from '../sandbox/index.js';
import { findAgentRoot, findCheckoutRoot } from '../sandbox/paths.js';
import { buildDashboard } from './build.js';
import { branchTip, pointBranchAt } from './git.js';
import { inspectRepo } from './repo.js';
import {
  CHECKOUT_COMMANDS,
  changedFiles,
  type DemoResult,
  demoResultJson,
  formatSummary,
  INSTALLED_COMMANDS,
  seconds,
  uncommittedNote,
} from './report.js';

/**
 * `npm run demo`: build the newest committed dashboard, start the persistent sandbox, publish
 * the build for that commit, ask the agent "Deploy the latest dashboard" with --yes (both MCP servers as
 * child processes, per the sandbox's config), print what happened and where the dashboard is served, and
 * serve until Ctrl-C. The sandbox lives in `<repo>/.sandbox/demo` between runs, so a run after a new commit
 * copies only the files that changed.
 */

/** What the release manager types; the demo runs exactly this request through the agent. */
export const DEMO_REQUEST = 'Deploy the latest dashboard';

export interface DemoOptions {
  /** A path inside the git repository to deploy from (default: the current directory). */
  repo?: string;
  /** The sandbox's directory (default: `<repo root>/.sandbox/demo`). */
  dir?: string;
  port?: number;
  /** Stop after the deploy instead of serving until Ctrl-C. */
  exit: boolean;
  json: boolean;
}

export interface DemoDeps {
  /**
   * The project whose node_modules hold Vite and the dashboard's dependencies (default: the clone the agent
   * runs from, else — the agent installed as a package — the repository being deployed, after its `npm ci`).
   */
  toolRoot?: string;
  startSandbox?: (options: SandboxOptions, deps?: SandboxDeps) => Promise<Sandbox>;
  fetch?: typeof fetch;
  elapsed?: () => number;
}

/** Raised between steps when Ctrl-C arrived while the demo was still setting up. */
class Interrupted extends Error {}

async function askAgent(ctx: CliContext, configPath: string, json: boolean): Promise<Answer> {
  const session = await openSession(ctx, { config: configPath, yes: true }, { prestartServers: true });
  try {
    const onProgress = progressPrinter(ctx, json);
    const intent = routeIntent(DEMO_REQUEST);
    return await dispatchIntent(session, intent, {
      trigger: 'cli',
      text: DEMO_REQUEST,
      approval: { yes: true },
      mandate: wordsMandate(intent),
      ...(onProgress ? { onProgress } : {}),
    });
  } finally {
    await session.close();
  }
}

interface PublishStep {
  ctx: CliContext;
  s3: S3Client;
  toolRoot: string;
  repoRoot: string;
  commit: string;
  sync: SyncCommand;
  buckets: StackBuckets;
  config: Config;
  say: (line?: string) => void;
  elapsed: () => number;
  checkpoint: () => void;
}

interface PublishOutcome {
  build: DemoResult['build'];
  publish: DemoResult['publish'];
  buildMs: number;
  publishMs: number;
}

/**
 * Steps 2 and 3: build the commit and publish it as the build workflow would, unless an earlier run
 * already did (builds are immutable, and a persisted sandbox keeps them).
 */
async function ensurePublished(step: PublishStep): Promise<PublishOutcome> {
  const { say, commit } = step;
  // A schema 1 build (from an older version, no fingerprints) is republished, which upgrades it.
  if ((await readBuildManifest(step.s3, step.sync, commit))?.schema === BUILD_MANIFEST_SCHEMA) {
    say(`[2/4] Build of ${short(commit)} already published by an earlier run; not rebuilt`);
    say('[3/4] Nothing to publish');
    return { build: 'already-published', publish: undefined, buildMs: 0, publishMs: 0 };
  }
  const build = await buildDashboard({
    toolRoot: step.toolRoot,
    repoRoot: step.repoRoot,
    commit,
    env: step.ctx.env,
  });
  try {
    say(
      `[2/4] Built the dashboard at ${short(commit)} with Vite in ${seconds(build.durationMs)} (DASHBOARD_COMMIT=${commit})`,
    );
    step.checkpoint();
    const started = step.elapsed();
    const report = await publishBuild(
      { s3: step.s3, now: step.ctx.now },
      {
        dir: build.siteDir,
        commit,
        sync: step.sync,
        stackBuckets: step.buckets,
        cacheRules: step.config.cacheRules,
        concurrency: step.config.concurrency,
        requiredFiles: step.config.requiredFiles,
        claimTtlSeconds: step.config.publishClaimTtlSeconds,
      },
    );
    const publishMs = step.elapsed() - started;
    const where = `s3://${step.sync.source.bucket}/${report.manifestKey.replace(/build\.json$/, '')}`;
    say(
      `[3/4] Published ${report.files} files (${(report.bytes / 1024).toFixed(0)} KB) to ${where} in ${seconds(publishMs)}`,
    );
    return {
      build: 'built',
      publish: { status: report.status, files: report.files, uploaded: report.uploaded, bytes: report.bytes },
      buildMs: build.durationMs,
      publishMs,
    };
  } finally {
    await build.remove();
  }
}

async function servedCommit(fetchImpl: typeof fetch, url: string): Promise<string | undefined> {
  try {
    const response = await fetchImpl(`${url}/version.json`);
    if (!response.ok) return undefined;
    const body = (await response.json()) as { commit?: unknown };
    return typeof body.commit === 'string' ? body.commit : undefined;
  } catch {
    return undefined;
  }
}

export async function runDemo(ctx: CliContext, options: DemoOptions, deps: DemoDeps = {}): Promise<ExitCode> {
  const elapsed = deps.elapsed ?? (() => performance.now());
  const fetchImpl = deps.fetch ?? fetch;
  const checkout = findCheckoutRoot(findAgentRoot());
  const commands = checkout === undefined ? INSTALLED_COMMANDS : CHECKOUT_COMMANDS;
  const start = deps.startSandbox ?? startSandbox;
  // With --json, stdout carries only the result; the narrative goes to stderr.
  const say = (line = '') => (options.json ? ctx.stderr : ctx.stdout).write(`${line}\n`);
  const began = elapsed();

  let stopRequested = false;
  let wake: (() => void) | undefined;
  const off = ctx.onShutdown(() => {
    stopRequested = true;
    if (wake) wake();
    else say('Ctrl-C: stopping after this step.');
  });
  const checkpoint = () => {
    if (stopRequested) throw new Interrupted();
  };

  let sandbox: Sandbox | undefined;
  try {
    const repo = await inspectRepo(resolve(ctx.cwd, options.repo ?? '.'));
    const toolRoot = deps.toolRoot ?? checkout ?? repo.root;
    const dir = resolve(ctx.cwd, options.dir ?? join(repo.root, '.sandbox', 'demo'));
    const forHumans = (path: string) => {
      const rel = relative(ctx.cwd, path);
      return rel === '' || rel.startsWith('..') ? path : rel;
    };
    say('FrontendOps demo: S3, the CloudFront edge, Pulumi state and git all run on this machine.');
    say(`Repository: ${repo.root}${repo.branch ? ` (branch ${repo.branch})` : ' (detached HEAD)'}`);
    say(
      `Deploying:  ${short(repo.commit)} "${displayText(repo.subject)}", the newest commit touching sophia-dashboard/`,
    );
    for (const line of uncommittedNote(repo.uncommitted, repo.commit, commands)) say(line);
    say();

    const sandboxStarted = elapsed();
    sandbox = await start(
      {
        dir,
        persist: true,
        demo: true,
        repoSource: repo.root,
        ...(options.port ? { port: options.port } : {}),
      },
      { env: ctx.env, log: (line) => ctx.stderr.write(`${line}\n`) },
    );
    const sandboxMs = elapsed() - sandboxStarted;
    const { info } = sandbox;
    say(
      `[1/4] Sandbox ready in ${seconds(sandboxMs)}: ${forHumans(dir)} (kept between runs, URL included; delete it to start over)`,
    );
    for (const notice of sandbox.notices) say(`      ${notice}`);
    checkpoint();

    const loaded = await loadConfig(info.configPath);
    const stack = selectStack(loaded.config, undefined);
    // The agent deploys the newest dashboard commit on the configured branch of the scratch repo. Put that
    // branch where the user's checkout is, so a demo run on a feature branch deploys what is checked out.
    const branch = loaded.config.github.branch;
    if ((await branchTip(info.repoPath, branch)) !== repo.head) {
      await pointBranchAt(info.repoPath, branch, repo.head);
      if (repo.branch !== branch) {
        say(`      (the scratch repo's ${branch} follows your checkout's HEAD, ${short(repo.head)})`);
      }
    }

    const target = await readDeployTarget(stack);
    const s3 = createS3Client(stack.aws, loaded.config.network);
    let done: DemoResult;
    try {
      const published = await ensurePublished({
        ctx,
        s3,
        toolRoot,
        repoRoot: repo.root,
        commit: repo.commit,
        sync: target.sync,
        buckets: target.buckets,
        config: loaded.config,
        say,
        elapsed,
        checkpoint,
      });
      checkpoint();

      const before = await readCurrentRelease(s3, target.sync.source.bucket, stack.name);
      say(`[4/4] $ frontendops ask "${DEMO_REQUEST}" --yes`);
      const deployStarted = elapsed();
      const answer = await askAgent(ctx, info.configPath, options.json);
      const deployMs = elapsed() - deployStarted;
      if (!answer.ok) {
        if (options.json) writeJson(ctx, { ...answer.json, step: 'deploy' });
        else ctx.stderr.write(`${answer.text}\n`);
        return answer.error ? exitCodeFor(answer.error.code) : EXIT.FAILURE;
      }
      if (!options.json) ctx.stdout.write(`${answer.text}\n`);
      const after = await readCurrentRelease(s3, target.sync.source.bucket, stack.name);
      const status = answer.json.status === 'noop' ? 'noop' : 'deployed';
      const deployedTag = typeof answer.json.tag === 'string' ? answer.json.tag : null;
      done = {
        status,
        repo: repo.root,
        branch: repo.branch,
        commit: repo.commit,
        subject: repo.subject,
        tag: deployedTag ?? after?.tag ?? null,
        url: info.edgeUrl,
        served: await servedCommit(fetchImpl, info.edgeUrl),
        uncommitted: repo.uncommitted,
        build: published.build,
        publish: published.publish,
        previousCommit: before?.commit ?? null,
        changedFiles: status === 'deployed' ? changedFiles(before, after) : [],
        deploy: answer.json,
        sandboxDir: dir,
        configPath: info.configPath,
        scratchRepo: info.repoPath,
        timings: {
          sandboxMs,
          buildMs: published.buildMs,
          publishMs: published.publishMs,
          deployMs,
          totalMs: elapsed() - began,
        },
      };
    } finally {
      s3.destroy();
    }

    if (done.served !== done.commit) {
      throw new FrontendOpsError(
        'VERIFY_FAILED',
        `the edge serves ${done.served ? short(done.served) : 'no version.json'} instead of ${short(done.commit)}`,
        {
          hint: `Look at ${done.url}/version.json; the sandbox audit log is in ${forHumans(dir)}/audit.jsonl.`,
        },
      );
    }
    if (options.json) writeJson(ctx, demoResultJson(done));
    else for (const line of formatSummary(done, forHumans(info.configPath), commands)) say(line);

    if (options.exit || stopRequested) return EXIT.OK;
    say('');
    say(`Serving ${done.url}/ until Ctrl-C.`);
    const shutdown = new Promise<void>((resolveShutdown) => {
      wake = resolveShutdown;
    });
    const failure = await Promise.race([shutdown.then(() => undefined), sandbox.failure]);
    if (failure !== undefined) throw failure;
    say(`Stopped. Run \`${commands.rerun}\` again to pick up where you left off.`);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof Interrupted) {
      say('Interrupted before the deploy finished.');
      return EXIT.FAILURE;
    }
    throw error;
  } finally {
    off();
    await sandbox?.stop();
  }
}
