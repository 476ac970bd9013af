import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientEndpoint } from '../aws/endpoint.js';
import type { Invalidator } from '../cdn/invalidator.js';
import type { Config, StackConfig } from '../config/schema.js';
import { boundStackBuckets, type StackBuckets } from '../deploy/bound-target.js';
import type { HealthDeps } from '../deploy/health.js';
import { finishCommand, missingSteps } from '../deploy/journal.js';
import type { LockStatus } from '../deploy/lock.js';
import type { RemoveResult } from '../deploy/lock-store.js';
import type {
  CheckHealth,
  DeployDeps,
  DeployReport,
  DeployRequest,
  EngineEvent,
  ProgressEvent,
} from '../deploy/pipeline.js';
import type { PlanSummary } from '../deploy/plan.js';
import { createRequestRunner, type RequestRunner, realSleep } from '../deploy/requests.js';
import type {
  BuildManifest,
  ReleaseEntry,
  ReleaseKind,
  ReleaseRecord,
  ReleaseStep,
  Trigger,
} from '../deploy/schemas.js';
import type { SyncCommand } from '../deploy/sync-command.js';
import { waitingMessage } from '../errors/endpoint.js';
import { FrontendOpsError, isFrontendOpsError, toFrontendOpsError } from '../errors.js';
import { errorStatus } from '../outcome.js';
import type { CommitInfo, GithubTools } from './github.js';
import {
  type DeployIntent,
  type DeployTarget,
  type Mandate,
  permits,
  type RollbackIntent,
  type RollbackTarget,
} from './intent.js';
import { allInOrder } from './parallel-reads.js';
import type { AgentStackOutputs, PulumiTools } from './pulumi.js';
import { tagRelease } from './tagging.js';
import type { ToolLayer } from './tool-layer.js';

/**
 * "Deploy the latest dashboard", through the two MCP servers. Every entry point — `ask`, `chat`,
 * `deploy`, `rollback`, `schedule`, `frontendops mcp`, a model's guarded tool — turns its request into
 * one typed intent (`DeployIntent`, `RollbackIntent`, each carrying `dryRun`) and ends in these
 * functions; nothing else reaches S3 or git. Everything that can be refused is decided before the
 * first write: the request's mandate is checked, the commit and its build are resolved, the stack
 * outputs read and parsed, the tools the write phase needs are checked to exist, and the engine plans
 * and asks for confirmation before it takes the lock.
 */

/** The engine functions the flow uses, injected so tests can run the flow on fakes. */
export interface Engine {
  runDeploy(deps: DeployDeps, request: DeployRequest): Promise<DeployReport>;
  finishRelease(
    deps: DeployDeps,
    request: Omit<DeployRequest, 'commit' | 'kind' | 'subject' | 'finishOnly'>,
  ): Promise<DeployReport>;
  parseSyncCommand(text: string): SyncCommand;
  readBuildManifest(
    s3: S3Client,
    sync: SyncCommand,
    commit: string,
    runner?: RequestRunner,
  ): Promise<BuildManifest | undefined>;
  readCurrentRelease(
    s3: S3Client,
    artifactsBucket: string,
    stack: string,
    runner?: RequestRunner,
  ): Promise<ReleaseRecord | undefined>;
  listReleases(
    s3: S3Client,
    artifactsBucket: string,
    stack: string,
    runner?: RequestRunner,
  ): Promise<ReleaseEntry[]>;
  readLockStatus(
    s3: S3Client,
    artifactsBucket: string,
    stack: string,
    runner?: RequestRunner,
  ): Promise<LockStatus | undefined>;
  breakLock(
    s3: S3Client,
    artifactsBucket: string,
    stack: string,
    etag: string,
    runner?: RequestRunner,
  ): Promise<RemoveResult>;
}

/**
 * The runner for the flow's own S3 reads (status, history, resolving a build): the configured timeouts
 * and deadline, and waits reported as progress, so `status` against a dead endpoint says what it waits
 * for and fails within the deadline like a deploy does.
 */
export function s3Reads(ctx: FlowContext): RequestRunner {
  const { network } = ctx.config;
  const onProgress = ctx.onProgress;
  return createRequestRunner({
    sleep: realSleep,
    attemptTimeoutMs: network.requestTimeoutSeconds * 1000,
    deadlineMs: network.deadlineSeconds * 1000,
    endpoint: { service: 's3', url: s3ClientEndpoint(ctx.s3) },
    ...(onProgress === undefined
      ? {}
      : {
          onWait: (event) =>
            onProgress({
              step: 'wait',
              done: 0,
              total: 0,
              bytes: 0,
              totalBytes: 0,
              message: waitingMessage(event),
            }),
        }),
  });
}

/** A release as people name it: its deploy tag when it has one, and its commit. */
export interface ReleaseLabel {
  commit: string;
  tag?: string | undefined;
  /** The commit's subject line (untrusted, redacted; for display). */
  subject?: string | undefined;
}

/** What a person is asked to approve. */
export interface Confirmation {
  action: 'deploy' | 'rollback';
  stack: string;
  plan: PlanSummary;
  /** The release being replaced (a rollback always knows it; a deploy knows its commit from the plan). */
  from?: ReleaseLabel | undefined;
  to: ReleaseLabel;
}

/** How a production apply gets approved. */
export interface Approval {
  /** `--yes` on the command line. */
  yes: boolean;
  /** Asks a person, showing the plan; absent where nobody can answer (timer, pipes, MCP jobs). */
  ask?: (confirmation: Confirmation) => Promise<boolean>;
  /** Who approves when the caller itself is the approval (an MCP client approving a destructive tool). */
  implicitBy?: string;
}

/**
 * The deploy job a request runs as (`frontendops mcp`, `schedule`): its id becomes the deploy lock's id
 * (so the lock, and the release journaled under it, name the job that holds it), and it hears the
 * engine's events (the release it journaled, the dead deploy whose lock it took over).
 */
export interface RequestJob {
  jobId: string;
  onEngineEvent?: (event: { kind: string }) => Promise<void>;
}

export interface FlowContext {
  config: Config;
  stack: StackConfig;
  tools: ToolLayer;
  github: GithubTools;
  pulumi: PulumiTools;
  s3: S3Client;
  engine: Engine;
  now: () => Date;
  requester: string;
  /** What started this request (audited; the engine records it in the release). */
  trigger: Trigger;
  approval: Approval;
  /** What the request allows to change: checked before anything is resolved. */
  mandate: Mandate;
  /**
   * A CloudFront invalidator for the stack's distribution, used only when the pulumi server has no
   * `invalidate_cdn` (the official Pulumi MCP server): the distribution id comes from the stack outputs.
   */
  directInvalidator: (distributionId: string) => Promise<Invalidator>;
  fetch?: typeof fetch;
  /**
   * Replaces the site's health check after the invalidation (tests). Absent: deploy/health.ts's check
   * with the config's `healthCheck` settings, or version.json only when `healthCheck.enabled` is false.
   */
  checkHealth?: CheckHealth;
  onProgress?: (event: ProgressEvent) => void;
  job?: RequestJob;
}

/** What a deploy request produced: the engine's report plus what the agent learned on the way. */
export interface DeployOutcome {
  action: 'deploy' | 'rollback';
  report: DeployReport;
  stack: string;
  url: string | undefined;
  /** The release made live (or planned): commit, tag if it already had one, the commit's own subject. */
  target: ReleaseLabel;
  /** The release that was live before (always set for a rollback). */
  from?: ReleaseLabel | undefined;
}

/**
 * Everything that can be checked before a deploy changes anything is checked here, so the common
 * "failed after going live" cases become refusals: the tools the write phase needs exist, and the CDN
 * API answers (with these credentials) before the first copy.
 */
export async function checkPrerequisites(ctx: FlowContext, invalidator: Invalidator): Promise<void> {
  await requireWriteTools(ctx.tools);
  try {
    await invalidator.probe?.();
  } catch (error) {
    const err = toFrontendOpsError(error, 'INVALIDATION_FAILED');
    throw new FrontendOpsError(
      err.code === 'ENDPOINT_UNREACHABLE' ? err.code : 'INVALIDATION_FAILED',
      `the CDN cannot be reached for ${ctx.stack.name}, so nothing was deployed: ${err.message}`,
      {
        hint: err.hint ?? 'Check the pulumi server and the CloudFront credentials with `frontendops doctor`.',
        cause: error,
      },
    );
  }
}

/** Tools the write phase needs. Checked before any write, so a missing tool never leaves a half deploy. */
const WRITE_TOOLS: ReadonlyArray<{ role: 'github' | 'pulumi'; tool: string }> = [
  { role: 'github', tool: 'next_deploy_tag' },
  { role: 'github', tool: 'create_tag' },
];

export async function requireWriteTools(tools: ToolLayer): Promise<void> {
  for (const { role, tool } of WRITE_TOOLS) {
    if (!(await tools.hasTool(role, tool))) {
      const server = tools.serverName(role);
      throw new FrontendOpsError('MCP_SERVER_ERROR', `MCP server ${server} has no tool ${tool}`, {
        hint: `Use FrontendOps' github server (frontendops-github-mcp) as mcpServers.${server}, then check with \`frontendops doctor\`.`,
        data: { server, tool },
      });
    }
  }
}

/**
 * The CDN invalidator for this deploy: the pulumi server's `invalidate_cdn` when it has one; with the
 * official Pulumi MCP server (no such tool), CloudFront directly on the distribution named by the stack
 * outputs, audited as a guarded engine step. Decided before any write.
 */
export async function invalidatorFor(ctx: FlowContext, outputs: AgentStackOutputs): Promise<Invalidator> {
  if (await ctx.tools.hasTool('pulumi', 'invalidate_cdn')) return ctx.pulumi.invalidator();
  const distributionId = outputs.distributionId;
  if (distributionId === undefined) {
    throw new FrontendOpsError(
      'STACK_OUTPUT_INVALID',
      `MCP server ${ctx.tools.serverName('pulumi')} has no invalidate_cdn and stack ${ctx.stack.name} exports no distributionId`,
      { hint: 'Use frontendops-pulumi-mcp as the pulumi server, or export distributionId from the stack.' },
    );
  }
  const direct = await ctx.directInvalidator(distributionId);
  return {
    invalidate: (paths, options) =>
      ctx.tools.step('cloudfront_invalidate', { distributionId, paths: [...paths], ...options }, () =>
        direct.invalidate(paths, options),
      ),
    probe: async () => {
      await direct.probe?.();
    },
  };
}

export interface ResolvedStack {
  outputs: AgentStackOutputs;
  sync: SyncCommand;
  /** The stack's own buckets, which `sync` was checked against. */
  buckets: StackBuckets;
}

/**
 * The stack's outputs, with the syncCommand parsed and bound to the stack's own bucket outputs (all
 * read in one call, from the same stack): SYNC_COMMAND_MISMATCH before any S3 request otherwise.
 */
export async function resolveStack(ctx: FlowContext): Promise<ResolvedStack> {
  const outputs = await ctx.pulumi.stackOutputs();
  const sync = ctx.engine.parseSyncCommand(outputs.syncCommand);
  const buckets = boundStackBuckets(sync, outputs, ctx.stack.name);
  return { outputs, sync, buckets };
}

/** The commit as git knows it; COMMIT_NOT_FOUND (a refusal, nothing changed) when it does not. */
async function commitInGit(ctx: FlowContext, sha: string): Promise<CommitInfo> {
  try {
    return await withUserHint(ctx.github.getCommit(sha));
  } catch (error) {
    if (!isFrontendOpsError(error) || !/COMMIT_NOT_FOUND/.test(`${error.code} ${error.message}`)) throw error;
    throw new FrontendOpsError(
      'COMMIT_NOT_FOUND',
      `commit ${sha} is not in ${ctx.config.github.owner}/${ctx.config.github.repo}; nothing was deployed`,
      {
        hint: 'Deploy a commit from `frontendops history` or the branch, or fetch the repository the github server reads.',
        data: { commit: sha },
      },
    );
  }
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

/**
 * Design §5 step 1: the newest commit on the branch touching the dashboard, which must have a
 * complete build. When it has none yet, BUILD_NOT_FOUND names it and the newest commit that does.
 */
export async function resolveLatest(ctx: FlowContext, sync: SyncCommand): Promise<CommitInfo> {
  const commits = await ctx.github.dashboardCommits();
  const [newest] = commits;
  const { branch, dashboardPath } = ctx.config.github;
  if (!newest) {
    throw new FrontendOpsError('BUILD_NOT_FOUND', `no commit on ${branch} touches ${dashboardPath}`, {
      hint: 'Check github.branch and github.dashboardPath in the config, then run `frontendops status`.',
    });
  }
  if (await ctx.engine.readBuildManifest(ctx.s3, sync, newest.sha, s3Reads(ctx))) return newest;
  let deployable: CommitInfo | undefined;
  for (const commit of commits.slice(1)) {
    if (await ctx.engine.readBuildManifest(ctx.s3, sync, commit.sha, s3Reads(ctx))) {
      deployable = commit;
      break;
    }
  }
  throw new FrontendOpsError(
    'BUILD_NOT_FOUND',
    `the newest dashboard commit ${short(newest.sha)} has no complete build yet` +
      (deployable
        ? `; the newest deployable commit is ${short(deployable.sha)}`
        : `; none of the last ${commits.length} dashboard commits has one`),
    {
      hint: deployable
        ? `Wait for the build workflow to publish ${short(newest.sha)}, or deploy the older build with \`frontendops deploy --commit ${deployable.sha}\`.`
        : 'Run the build workflow, or `frontendops publish DIR --commit SHA`.',
      data: { newest: newest.sha, ...(deployable ? { deployable: deployable.sha } : {}) },
    },
  );
}

/** A named target (sha prefix, full sha, deploy tag) → a full commit with a complete build. */
export async function resolveTarget(
  ctx: FlowContext,
  sync: SyncCommand,
  target: DeployTarget,
): Promise<CommitInfo> {
  if (target.kind === 'latest') return resolveLatest(ctx, sync);
  let sha: string;
  if (target.kind === 'tag') {
    sha = (await withUserHint(ctx.github.getTag(target.tag))).sha;
  } else {
    if (!/^[0-9a-f]{7,40}$/.test(target.sha)) {
      throw new FrontendOpsError('BAD_INPUT', 'that is not a commit sha', {
        hint: 'Give 7 to 40 lowercase hex characters, e.g. `frontendops deploy --commit SHA`.',
      });
    }
    sha = target.sha;
  }
  const noBuild = (full: string) =>
    new FrontendOpsError('BUILD_NOT_FOUND', `commit ${short(full)} has no complete build`, {
      hint: 'Only commits the build workflow has published can be deployed: `frontendops history` lists them.',
      data: { commit: full },
    });
  // A full sha without a build is refused before asking git about it: the missing build is the news.
  if (FULL_SHA.test(sha) && !(await ctx.engine.readBuildManifest(ctx.s3, sync, sha, s3Reads(ctx))))
    throw noBuild(sha);
  // The subject shown is the target commit's own, from get_commit (redacted as it arrives) — never a
  // tag's message or another release's words. A short sha is expanded there too.
  const commit = await commitInGit(ctx, sha);
  if (!FULL_SHA.test(sha) && !(await ctx.engine.readBuildManifest(ctx.s3, sync, commit.sha, s3Reads(ctx)))) {
    throw noBuild(commit.sha);
  }
  return commit;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * The github server's hints speak to MCP clients; a release manager needs the command to type next.
 * Replaces the hint of the errors a mistyped tag or sha produces.
 */
async function withUserHint<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    const err = toFrontendOpsError(error);
    const hint =
      err.code === 'TAG_NOT_FOUND'
        ? '`frontendops history` lists the deploy tags; then `frontendops rollback --to TAG`.'
        : err.code === 'COMMIT_NOT_FOUND'
          ? '`frontendops history` lists deployed commits; `frontendops deploy --commit SHA` takes a full sha from git log.'
          : undefined;
    if (hint === undefined) throw err;
    throw new FrontendOpsError(err.code, err.message, {
      hint,
      ...(err.data ? { data: err.data } : {}),
      cause: err,
    });
  }
}

/**
 * Asks for the approval of a plan. A person's "no" is `CANCELLED` (their own choice, nothing
 * changed); having nobody to ask is `REFUSED` (a rule).
 */
async function approve(
  ctx: FlowContext,
  request: Omit<Confirmation, 'plan'>,
  plan: PlanSummary,
): Promise<boolean> {
  await ctx.tools.trail.write({ kind: 'plan', stack: ctx.stack.name, commit: plan.commit, summary: plan });
  let by: string;
  let approved: boolean;
  if (ctx.approval.yes) {
    [by, approved] = ['--yes', true];
  } else if (ctx.stack.autoApprove) {
    [by, approved] = ['policy', true];
  } else if (ctx.approval.implicitBy !== undefined) {
    [by, approved] = [ctx.approval.implicitBy, true];
  } else if (ctx.approval.ask) {
    by = 'user';
    approved = await ctx.approval.ask({ ...request, plan });
  } else {
    await ctx.tools.trail.write({ kind: 'confirm', approved: false, by: 'nobody-to-ask' });
    throw new FrontendOpsError(
      'REFUSED',
      `${request.action === 'rollback' ? 'rolling back' : 'deploying to'} ${ctx.stack.name} needs confirmation and nobody can give it here`,
      {
        hint: 'Run it in a terminal to confirm, add --yes, or set stacks[].autoApprove for unattended deploys.',
      },
    );
  }
  await ctx.tools.trail.write({ kind: 'confirm', approved, by });
  if (!approved) {
    throw new FrontendOpsError(
      'CANCELLED',
      `you answered no; ${request.action === 'rollback' ? 'the rollback of' : 'the deploy to'} ${ctx.stack.name} was not applied`,
    );
  }
  return approved;
}

/** Refuses an act the request does not allow (a model acting on a question, say), before anything runs. */
function authorise(ctx: FlowContext, intent: DeployIntent | RollbackIntent): void {
  const refusal = permits(ctx.mandate, intent);
  if (refusal === undefined) return;
  throw new FrontendOpsError(
    'REFUSED',
    `not ${intent.kind === 'deploy' ? 'deploying' : 'rolling back'}: ${refusal}`,
    {
      hint: 'Ask for a dry run, or give a plain order such as "Deploy the latest dashboard" or "roll back".',
    },
  );
}

/** Operator-only options of a deploy, never taken from chat or a model. */
export interface OperatorOptions {
  /**
   * `frontendops deploy --adopt <id>` only: delete the objects no release knows, which a plan listed
   * under this id. Adoption is an operator's explicit act.
   */
  adopt?: string;
}

/** Engine steps worth an audit line, as tool calls of the `engine` pseudo-server. */
export function auditEngineEvent(ctx: FlowContext, event: EngineEvent): Promise<void> {
  const { kind, ...args } = event;
  const failed = kind === 'health_check_failed' || kind === 'release_incomplete';
  return ctx.tools.trail.write({
    kind: 'tool_call',
    server: 'engine',
    tool: kind,
    args,
    durationMs: 0,
    outcome: failed ? 'error' : 'ok',
    ...(failed && 'code' in event ? { error: { code: event.code, message: event.message } } : {}),
  });
}

/** The engine's request for this stack, from the config. */
function engineRequest(
  ctx: FlowContext,
  resolved: ResolvedStack,
  confirmation: Omit<Confirmation, 'plan'>,
  adopt?: string,
): Omit<DeployRequest, 'commit' | 'kind' | 'subject' | 'dryRun'> {
  const { config, stack } = ctx;
  return {
    stack: stack.name,
    sync: resolved.sync,
    stackBuckets: resolved.buckets,
    requiredFiles: config.requiredFiles,
    ...(adopt === undefined ? {} : { adopt }),
    ...(resolved.outputs.url === undefined ? {} : { url: resolved.outputs.url }),
    trigger: ctx.trigger,
    requestedBy: ctx.requester,
    keepReleases: config.keepReleases,
    concurrency: config.concurrency,
    lockTtlSeconds: config.lockTtlSeconds,
    cacheRules: config.cacheRules,
    invalidation: config.invalidation,
    autoRollback: config.autoRollback,
    confirm: (plan) => approve(ctx, confirmation, plan),
    tag: (release) =>
      tagRelease(ctx.github, release, ctx.now(), { artifactsBucket: resolved.sync.source.bucket }),
  };
}

/**
 * The site health check the engine runs after the invalidation (deploy/health.ts, with the config's
 * `healthCheck` settings); undefined when the config turns it off (only version.json is checked then,
 * and the release record says so).
 */
export async function healthCheckFor(ctx: FlowContext): Promise<CheckHealth | undefined> {
  if (ctx.checkHealth !== undefined) return ctx.checkHealth;
  const settings = ctx.config.healthCheck;
  if (!settings.enabled) return undefined;
  // Loaded by the deploys that run it (it brings an HTML parser): `status` and `history` never do.
  const { healthOptionsFrom, siteHealthCheck } = await import('../deploy/health.js');
  const deps: HealthDeps = { fetch: ctx.fetch ?? fetch, sleep: realSleep, now: ctx.now };
  return siteHealthCheck(deps, healthOptionsFrom(settings));
}

async function engineDeps(ctx: FlowContext, invalidator: Invalidator): Promise<DeployDeps> {
  const { network } = ctx.config;
  const { job } = ctx;
  const checkHealth = await healthCheckFor(ctx);
  return {
    s3: ctx.s3,
    invalidator,
    now: ctx.now,
    attemptTimeoutMs: network.requestTimeoutSeconds * 1000,
    requestDeadlineMs: network.deadlineSeconds * 1000,
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    ...(checkHealth ? { checkHealth } : {}),
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    // The job's id is the lock's: an instance reading the lock, or the release journaled under it,
    // learns which deployment holds it.
    ...(job === undefined ? {} : { newLockId: () => job.jobId }),
    onEvent: async (event) => {
      await auditEngineEvent(ctx, event);
      await job?.onEngineEvent?.(event);
    },
  };
}

/** The pipeline for one commit, with everything resolved. Shared by deploy and rollback. */
async function deployCommit(
  ctx: FlowContext,
  resolved: ResolvedStack,
  commit: CommitInfo,
  options: {
    dryRun: boolean;
    kind: ReleaseKind;
    confirmation: Omit<Confirmation, 'plan'>;
    adopt?: string | undefined;
  },
): Promise<DeployReport> {
  const invalidator = options.dryRun ? ctx.pulumi.invalidator() : await invalidatorFor(ctx, resolved.outputs);
  if (!options.dryRun) await checkPrerequisites(ctx, invalidator);
  const { stack } = ctx;
  const request: DeployRequest = {
    ...engineRequest(ctx, resolved, options.confirmation, options.adopt),
    commit: commit.sha,
    kind: options.kind,
    ...(commit.subject === undefined ? {} : { subject: commit.subject }),
    dryRun: options.dryRun,
  };
  const report = await ctx.tools.step(
    options.dryRun ? 'plan_deploy' : 'run_deploy',
    {
      stack: stack.name,
      commit: commit.sha,
      dryRun: options.dryRun,
      trigger: ctx.trigger,
      kind: options.kind,
      ...(options.adopt === undefined ? {} : { adopt: options.adopt }),
    },
    async () => ctx.engine.runDeploy(await engineDeps(ctx, invalidator), request),
  );
  if (options.dryRun) {
    await ctx.tools.trail.write({
      kind: 'plan',
      stack: stack.name,
      commit: commit.sha,
      summary: report.plan,
    });
  }
  return report;
}

/** Errors that mean "nothing changed, by rule or by choice" rather than a fault. */
async function finish(
  ctx: FlowContext,
  started: number,
  run: () => Promise<DeployOutcome>,
): Promise<DeployOutcome> {
  try {
    const outcome = await run();
    const { report } = outcome;
    await ctx.tools.trail.write({
      kind: 'result',
      status: report.status,
      commit: report.commit,
      ...(report.tag ? { tag: report.tag } : {}),
      ...(report.releaseId ? { releaseId: report.releaseId } : {}),
      ...(report.error ? { code: report.error.code, message: report.error.message } : {}),
      durationMs: ctx.now().getTime() - started,
    });
    return outcome;
  } catch (error) {
    const err = toFrontendOpsError(error);
    await ctx.tools.trail.write({
      kind: 'result',
      status: errorStatus(err.code),
      code: err.code,
      message: err.message,
      durationMs: ctx.now().getTime() - started,
    });
    throw err;
  }
}

function labelOf(commit: CommitInfo, tag?: string | null): ReleaseLabel {
  return {
    commit: commit.sha,
    ...(tag ? { tag } : {}),
    ...(commit.subject ? { subject: commit.subject } : {}),
  };
}

/** Deploy (or dry-run) a target: the latest built dashboard commit, a sha, or a deploy tag. */
export function deployThroughMcp(
  ctx: FlowContext,
  intent: DeployIntent,
  operator: OperatorOptions = {},
): Promise<DeployOutcome> {
  const started = ctx.now().getTime();
  return finish(ctx, started, async () => {
    authorise(ctx, intent);
    const resolved = await resolveStack(ctx);
    const commit = await resolveTarget(ctx, resolved.sync, intent.target);
    const target = labelOf(commit, intent.target.kind === 'tag' ? intent.target.tag : undefined);
    const report = await deployCommit(ctx, resolved, commit, {
      dryRun: intent.dryRun,
      kind: 'deploy',
      confirmation: { action: 'deploy', stack: ctx.stack.name, to: target },
      ...(operator.adopt === undefined ? {} : { adopt: operator.adopt }),
    });
    return { action: 'deploy', report, stack: ctx.stack.name, url: resolved.outputs.url, target };
  });
}

/**
 * The release to go back to: the newest complete release older than the live one, of another commit
 * (a release that was rolled back or never finished is no place to return to).
 */
export function previousRelease(
  live: Pick<ReleaseEntry, 'releaseId' | 'commit' | 'startedAt'>,
  releases: readonly ReleaseEntry[],
): ReleaseEntry | undefined {
  return releases.find(
    (r) =>
      r.status === 'complete' &&
      r.releaseId !== live.releaseId &&
      r.commit !== live.commit &&
      r.startedAt < live.startedAt,
  );
}

/** The deploy tag a recorded release of `commit` carries, if any (newest first). */
function tagOf(
  releases: readonly Pick<ReleaseEntry, 'commit' | 'tag'>[],
  commit: string,
): string | undefined {
  return releases.find((r) => r.commit === commit && r.tag)?.tag ?? undefined;
}

/** Rollback is the same pipeline with an older commit, triggered as `rollback`. */
export function rollbackThroughMcp(ctx: FlowContext, intent: RollbackIntent): Promise<DeployOutcome> {
  const started = ctx.now().getTime();
  return finish(ctx, started, async () => {
    authorise(ctx, intent);
    const resolved = await resolveStack(ctx);
    const bucket = resolved.sync.source.bucket;
    const live = await ctx.engine.readCurrentRelease(ctx.s3, bucket, ctx.stack.name, s3Reads(ctx));
    if (!live) {
      throw new FrontendOpsError('NOTHING_TO_ROLL_BACK', `nothing is live on ${ctx.stack.name} yet`, {
        hint: 'Deploy first: `frontendops deploy`, or say "Deploy the latest dashboard".',
      });
    }
    const releases = await ctx.engine.listReleases(ctx.s3, bucket, ctx.stack.name, s3Reads(ctx));
    let to: RollbackTarget;
    if (intent.to) {
      to = intent.to;
    } else {
      const previous = previousRelease(live, releases);
      if (!previous) {
        throw new FrontendOpsError(
          'NOTHING_TO_ROLL_BACK',
          `no release before the live one (${short(live.commit)}) on ${ctx.stack.name}`,
          {
            hint: '`frontendops history` lists the deploy tags; name one with `frontendops rollback --to TAG`.',
          },
        );
      }
      to = { kind: 'commit', sha: previous.commit };
    }
    const commit = await resolveTarget(ctx, resolved.sync, to);
    const target = labelOf(commit, to.kind === 'tag' ? to.tag : tagOf(releases, commit.sha));
    const liveCommit: CommitInfo = { sha: live.commit };
    const from = labelOf(liveCommit, live.tag ?? tagOf(releases, live.commit));
    const report = await deployCommit(ctx, resolved, commit, {
      dryRun: intent.dryRun,
      kind: 'rollback',
      confirmation: { action: 'rollback', stack: ctx.stack.name, from, to: target },
    });
    return { action: 'rollback', report, stack: ctx.stack.name, url: resolved.outputs.url, target, from };
  });
}

export interface StatusReport {
  stack: string;
  url: string | undefined;
  live:
    | (Pick<
        ReleaseRecord,
        'commit' | 'releaseId' | 'trigger' | 'requestedBy' | 'finishedAt' | 'kind' | 'status'
      > & {
        tag: string | undefined;
      })
    | null;
  latest: (CommitInfo & { built: boolean }) | null;
  upToDate: boolean;
  /** The deploy lock, when someone holds it: who, and its age and expiry by S3's clock. */
  lock: LockHolder | null;
  /** The release that is not finished, if any: which steps are missing and the command that finishes it. */
  unfinished: {
    releaseId: string;
    commit: string;
    kind: ReleaseKind;
    missing: ReleaseStep[];
    failure: { step: string; code: string; message: string } | null;
    finishCommand: string;
  } | null;
}

/** Who holds a deploy lock, with its age and expiry by S3's clock: what `status` and `unlock` show. */
export interface LockHolder {
  owner: string;
  requestedBy: string;
  trigger: string;
  commit: string;
  acquiredAt: string;
  /** Seconds since the lock was last written, by S3's clock (null when S3 did not say). */
  ageSeconds: number | null;
  /** Seconds until it expires without a renewal, by S3's clock (0 once expired). */
  expiresInSeconds: number | null;
  expired: boolean;
}

export function lockHolderOf({ lock, age }: LockStatus): LockHolder {
  return {
    owner: lock.owner,
    requestedBy: lock.requestedBy,
    trigger: lock.trigger,
    commit: lock.commit,
    acquiredAt: lock.acquiredAt,
    ageSeconds: age === undefined ? null : Math.round(age.ageMs / 1000),
    expiresInSeconds: age === undefined ? null : Math.max(0, Math.round((age.ttlMs - age.ageMs) / 1000)),
    expired: age?.expired ?? false,
  };
}

/** "What's live?": the live release, the lock, an unfinished release, and whether the latest commit is live. Read-only. */
export async function statusThroughMcp(ctx: FlowContext): Promise<StatusReport> {
  // The two servers answer independently, and each read starts as soon as what it needs is known: the
  // live release and the lock once the stack's outputs name the bucket (while the github server may
  // still be answering), the latest commit's build once that commit is known too.
  const commits = ctx.github.dashboardCommits(1);
  // Settled by allInOrder below; a failing stack read must not leave this rejection unhandled.
  commits.catch(() => undefined);
  const resolved = await resolveStack(ctx);
  const bucket = resolved.sync.source.bucket;
  const live = ctx.engine.readCurrentRelease(ctx.s3, bucket, ctx.stack.name, s3Reads(ctx));
  const lock = ctx.engine.readLockStatus(ctx.s3, bucket, ctx.stack.name, s3Reads(ctx));
  const built = commits.then(([newest]) =>
    newest
      ? ctx.engine.readBuildManifest(ctx.s3, resolved.sync, newest.sha, s3Reads(ctx)).then(Boolean)
      : false,
  );
  // Failures are reported in this order, whichever comes first in time: the commits, then the reads.
  const [[latest], liveRelease, lockStatus, latestBuilt] = await allInOrder([commits, live, lock, built]);
  return {
    stack: ctx.stack.name,
    url: resolved.outputs.url,
    live: liveRelease
      ? {
          commit: liveRelease.commit,
          releaseId: liveRelease.releaseId,
          trigger: liveRelease.trigger,
          requestedBy: liveRelease.requestedBy,
          finishedAt: liveRelease.finishedAt,
          kind: liveRelease.kind,
          status: liveRelease.status,
          tag: liveRelease.tag ?? undefined,
        }
      : null,
    latest: latest ? { ...latest, built: latestBuilt } : null,
    upToDate:
      liveRelease !== undefined &&
      liveRelease.status === 'complete' &&
      latest !== undefined &&
      liveRelease.commit === latest.sha,
    lock: lockStatus ? lockHolderOf(lockStatus) : null,
    unfinished:
      liveRelease?.status === 'pending'
        ? {
            releaseId: liveRelease.releaseId,
            commit: liveRelease.commit,
            kind: liveRelease.kind,
            missing: missingSteps(liveRelease),
            failure: liveRelease.failure
              ? {
                  step: liveRelease.failure.step,
                  code: liveRelease.failure.code,
                  message: liveRelease.failure.message,
                }
              : null,
            finishCommand: finishCommand(ctx.stack.name),
          }
        : null,
  };
}

/**
 * `status --finish`: finishes the stack's unfinished release (its missing steps, under the lock), or
 * says there is nothing to finish. Starts nothing new.
 */
export function finishThroughMcp(ctx: FlowContext): Promise<DeployOutcome> {
  const started = ctx.now().getTime();
  return finish(ctx, started, async () => {
    const resolved = await resolveStack(ctx);
    const live = await ctx.engine.readCurrentRelease(
      ctx.s3,
      resolved.sync.source.bucket,
      ctx.stack.name,
      s3Reads(ctx),
    );
    let invalidator: Invalidator = ctx.pulumi.invalidator();
    if (live?.status === 'pending') {
      // Finishing goes live like a deploy: the same prerequisites first.
      await commitInGit(ctx, live.commit);
      invalidator = await invalidatorFor(ctx, resolved.outputs);
      await checkPrerequisites(ctx, invalidator);
    }
    const action = live?.kind === undefined || live.kind === 'deploy' ? 'deploy' : 'rollback';
    const target: ReleaseLabel = {
      commit: live?.commit ?? '',
      ...(live?.tag ? { tag: live.tag } : {}),
      ...(live?.subject ? { subject: live.subject } : {}),
    };
    const report = await ctx.tools.step('finish_release', { stack: ctx.stack.name }, async () =>
      ctx.engine.finishRelease(await engineDeps(ctx, invalidator), {
        ...engineRequest(ctx, resolved, { action, stack: ctx.stack.name, to: target }),
        dryRun: false,
      }),
    );
    return { action, report, stack: ctx.stack.name, url: resolved.outputs.url, target };
  });
}

export interface HistoryEntry {
  releaseId: string | undefined;
  commit: string;
  tag: string | undefined;
  trigger: string | undefined;
  requestedBy: string | undefined;
  finishedAt: string | undefined;
  live: boolean;
  kind?: ReleaseKind;
  status?: ReleaseEntry['status'];
}

/** Recent deploys, newest first: release records, plus deploy tags whose record is gone. Read-only. */
export async function historyThroughMcp(ctx: FlowContext, limit: number): Promise<HistoryEntry[]> {
  const tagsListed = ctx.github.listDeployTags();
  // Settled here so that a failing stack read does not leave this rejection unhandled.
  tagsListed.catch(() => undefined);
  const resolved = await resolveStack(ctx);
  const bucket = resolved.sync.source.bucket;
  const [releases, live, tags] = await allInOrder([
    ctx.engine.listReleases(ctx.s3, bucket, ctx.stack.name, s3Reads(ctx)),
    ctx.engine.readCurrentRelease(ctx.s3, bucket, ctx.stack.name, s3Reads(ctx)),
    tagsListed,
  ]);
  const entries: HistoryEntry[] = releases.map((r) => ({
    releaseId: r.releaseId,
    commit: r.commit,
    tag: r.tag ?? undefined,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    finishedAt: r.finishedAt ?? undefined,
    live: live?.releaseId === r.releaseId,
    kind: r.kind,
    status: r.status,
  }));
  const recorded = new Set(entries.map((e) => e.tag).filter((t): t is string => t !== undefined));
  for (const tag of tags) {
    if (recorded.has(tag.name)) continue;
    entries.push({
      releaseId: undefined,
      commit: tag.sha,
      tag: tag.name,
      trigger: undefined,
      requestedBy: undefined,
      finishedAt: undefined,
      live: false,
    });
  }
  return entries.slice(0, limit);
}
