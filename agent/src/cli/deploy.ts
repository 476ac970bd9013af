import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { DeployTarget } from '../agent/intent.js';
import {
  type DeployJson,
  deployJson,
  formatDeployOutcome,
  formatPlan,
  keptUnknownLine,
} from '../agent/report.js';
import { AdoptionIdSchema } from '../deploy/adoption.js';
import type { DeployReport, ProgressEvent } from '../deploy/pipeline.js';
import type { PlanSummary } from '../deploy/plan.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import type { CliContext, GlobalOptions } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { CommandExit, writeJson, writeLine } from './output.js';
import { askLine, isYes, openSession } from './support.js';

/**
 * `frontendops deploy [--commit SHA]`, through the same MCP tool layer and pipeline as `ask` (design §7:
 * "Both paths end in the same pipeline"): stack outputs from the pulumi server, the commit checked
 * with the github server, the CDN invalidated through the pulumi server and the release tagged
 * through the github server — audited like every other request. The CLI keeps its own printing.
 */
export interface DeployCommandRequest {
  config?: string;
  stack?: string;
  /** A commit sha (7–40 hex); absent: the latest dashboard commit with a complete build. */
  commit?: string;
  dryRun: boolean;
  /** `--adopt <id>`: delete the objects no release knows, which a plan listed under this id. */
  adopt?: string;
  /** Asks a person; absent means approved (`--yes`, or a dry run). */
  confirm?: (plan: PlanSummary, stack: string) => Promise<boolean>;
  onProgress?: (event: ProgressEvent) => void;
}

export async function deployCommandThroughMcp(
  ctx: CliContext,
  request: DeployCommandRequest,
): Promise<{ report: DeployReport; stack: string }> {
  let target: DeployTarget = { kind: 'latest' };
  if (request.commit !== undefined) {
    if (!/^[0-9a-f]{7,40}$/.test(request.commit)) {
      throw new FrontendOpsError(
        'BAD_INPUT',
        `--commit ${JSON.stringify(request.commit)} is not a commit sha`,
        {
          hint: 'Pass a lowercase commit sha (git rev-parse HEAD), or leave --commit out for the latest build.',
        },
      );
    }
    target = { kind: 'commit', sha: request.commit };
  }
  if (request.adopt !== undefined && !AdoptionIdSchema.safeParse(request.adopt).success) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `--adopt ${JSON.stringify(request.adopt)} is not an adoption id`,
      {
        hint: 'Run `frontendops deploy --dry-run` and pass the adoption id it shows (12 hex characters).',
      },
    );
  }
  const session = await openSession(ctx, {
    ...(request.config === undefined ? {} : { config: request.config }),
    ...(request.stack === undefined ? {} : { stack: request.stack }),
  });
  try {
    const confirm = request.confirm;
    const flowCtx = await session.startRequest({
      trigger: 'cli',
      text: `deploy${request.commit ? ` --commit ${request.commit}` : ''}${request.adopt ? ` --adopt ${request.adopt}` : ''}${request.dryRun ? ' --dry-run' : ''}`,
      approval: confirm ? { yes: false, ask: (plan, stack) => confirm(plan, stack) } : { yes: true },
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
    const { deployThroughMcp } = await import('../agent/flow.js');
    const outcome = await deployThroughMcp(flowCtx, {
      target,
      dryRun: request.dryRun,
      trigger: 'cli',
      ...(request.adopt === undefined ? {} : { adopt: request.adopt }),
    });
    return { report: outcome.report, stack: outcome.stack };
  } catch (error) {
    // An unreachable endpoint is explained with what the config says about it (how to start it).
    throw await session.explain(error);
  } finally {
    await session.close();
  }
}

/**
 * `frontendops deploy --commit SHA --stack S [--dry-run] [--yes] [--json]`: the engine, driven
 * directly from the stack's state (design §5). Without `--yes` it asks on a terminal, showing the plan;
 * with no terminal to ask on it refuses (exit 3) instead of waiting for an answer that cannot come.
 */
interface DeployFlags {
  commit?: string;
  stack?: string;
  dryRun?: boolean;
  yes?: boolean;
  adopt?: string;
}

export function deployErrorJson(commit: string, error: FrontendOpsError): DeployJson {
  return {
    status:
      error.code === 'CANCELLED'
        ? 'cancelled'
        : exitCodeFor(error.code) === EXIT.REFUSED
          ? 'refused'
          : 'failed',
    commit,
    copied: null,
    unchanged: null,
    deleted: null,
    deferredDeletes: null,
    invalidationId: null,
    requests: {},
    durationMs: null,
    tag: null,
    code: error.code,
    message: error.message,
  };
}

function interactive(ctx: CliContext): boolean {
  const stdin = ctx.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  return ctx.isTTY && stdin.isTTY === true;
}

function confirmer(ctx: CliContext, flags: DeployFlags, stack: string, json: boolean) {
  if (flags.yes || flags.dryRun) return undefined;
  if (!interactive(ctx)) {
    return async (): Promise<boolean> => {
      throw new FrontendOpsError(
        'REFUSED',
        `not deploying to ${stack} without confirmation, and there is no terminal to ask on`,
        {
          hint: 'Pass --yes to deploy non-interactively (CI, scripts), or --dry-run to see the plan.',
        },
      );
    };
  }
  return async (plan: PlanSummary): Promise<boolean> =>
    isYes(
      await askLine(
        ctx,
        `${formatPlan(plan, stack)}\nDeploy ${plan.commit.slice(0, 7)} to ${stack}? [y/N] `,
        json,
      ),
    );
}

/** A progress bar on a terminal, one line per step otherwise; always on stderr (stdout is the result). */
function progressReporter(
  ctx: CliContext,
  json: boolean,
): { onProgress?: (e: ProgressEvent) => void; stop(): void } {
  if (json) return { stop: () => undefined };
  if (!ctx.isTTY) {
    let last = '';
    return {
      onProgress: (event) => {
        const key = `${event.step}:${event.phase ?? ''}`;
        if (key === last) return;
        last = key;
        ctx.stderr.write(`  ${event.message ?? `${event.step}${event.phase ? ` ${event.phase}` : ''}`}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    stream: ctx.stderr as NodeJS.WritableStream,
    format: '  {step} [{bar}] {value}/{total} files | {mb} MB',
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    onProgress: (event) => {
      if (event.step !== 'copy') {
        if (started) bar.update({ step: event.step.padEnd(9) });
        else ctx.stderr.write(`  ${event.message ?? event.step}\n`);
        return;
      }
      const payload = {
        step: `copy ${event.phase ?? ''}`.padEnd(9),
        mb: (event.bytes / 1024 ** 2).toFixed(1),
      };
      if (!started) {
        bar.start(event.total, event.done, payload);
        started = true;
      } else bar.update(event.done, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function printHuman(ctx: CliContext, report: DeployReport, stack: string): void {
  const short = report.commit.slice(0, 7);
  if (report.status === 'incomplete' || report.status === 'rolled_back') {
    writeLine(ctx, formatDeployOutcome({ report, stack, url: undefined, subject: undefined }));
    return;
  }
  if (report.status === 'noop') {
    writeLine(ctx, `${short} is already live on ${stack}; nothing to do.`);
    return;
  }
  if (report.status === 'planned') {
    writeLine(ctx, formatPlan(report.plan, stack));
    writeLine(ctx, 'Dry run: nothing was changed.');
    return;
  }
  writeLine(
    ctx,
    `Deployed ${short} to ${stack}: ${report.copied} copied, ${report.unchanged} unchanged, ${report.deleted} deleted, ${report.deferredDeletes} kept for older pages.`,
  );
  writeLine(ctx, `  invalidation: ${report.invalidationId ?? '(none needed)'}`);
  writeLine(ctx, `  verify: ${report.verify.status}${report.verify.note ? ` (${report.verify.note})` : ''}`);
  const requests = Object.entries(report.requests)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  writeLine(
    ctx,
    `  S3 requests: ${requests}${report.retries > 0 ? ` (${report.retries} retried)` : ''}; ${report.durationMs} ms`,
  );
  const kept = keptUnknownLine(report.plan);
  if (kept) writeLine(ctx, kept);
  for (const warning of report.warnings) ctx.stderr.write(`warning: ${warning}\n`);
}

export function registerDeployCommand(program: Command, ctx: CliContext): void {
  program
    .command('deploy')
    .description('Deploy a built commit to the stack: plan, lock, copy in phases, invalidate, verify, prune.')
    .option('--commit <sha>', 'commit sha with a complete build (default: the latest dashboard commit)')
    .option('--stack <name>', 'stack from the config (default: the only one)')
    .option('--dry-run', 'show the plan; change nothing')
    .option(
      '--adopt <id>',
      'also delete the objects no release knows, as listed by a plan (--dry-run) under this adoption id; refused if that set changed',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (flags: DeployFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const json = Boolean(globals.json);
      const commit = flags.commit ?? '';
      const progress = progressReporter(ctx, json);
      // The stack's name is known once the config is read, inside the flow.
      const asks = confirmer(ctx, flags, '', json) !== undefined;
      try {
        // Through the MCP tool layer, like `ask` (design §7): outputs and invalidation via the pulumi
        // server, the commit resolved and the release tagged via the github server, all audited.
        const { report, stack } = await deployCommandThroughMcp(ctx, {
          ...(globals.config === undefined ? {} : { config: globals.config }),
          ...(flags.stack === undefined ? {} : { stack: flags.stack }),
          ...(flags.commit === undefined ? {} : { commit: flags.commit }),
          ...(flags.adopt === undefined ? {} : { adopt: flags.adopt }),
          dryRun: Boolean(flags.dryRun),
          ...(asks
            ? { confirm: (plan: PlanSummary, stack: string) => confirmer(ctx, flags, stack, json)!(plan) }
            : {}),
          ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
        });
        progress.stop();
        if (json) writeJson(ctx, deployJson(report));
        else printHuman(ctx, report, stack);
        if (report.status === 'incomplete') throw new CommandExit(EXIT.INCOMPLETE);
        if (report.status === 'rolled_back') throw new CommandExit(EXIT.ROLLED_BACK);
      } catch (error) {
        progress.stop();
        if (error instanceof CommandExit) throw error;
        const err = toFrontendOpsError(error);
        if (!json) throw err;
        writeJson(ctx, deployErrorJson(commit, err));
        throw new CommandExit(exitCodeFor(err.code));
      }
    });
}
