import type { Command } from 'commander';
import type { Confirmation, DeployOutcome } from '../agent/flow.js';
import type { DeployIntent } from '../agent/intent.js';
import {
  confirmQuestion,
  type DeployJson,
  deployOutcomeJson,
  formatDeployOutcome,
  keptUnknownLine,
} from '../agent/report.js';
import { AdoptionIdSchema } from '../deploy/adoption.js';
import type { ProgressEvent } from '../deploy/pipeline.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { errorStatus } from '../outcome.js';
import type { CliContext, GlobalOptions } from './context.js';
import { EXIT, exitCodeFor, exitCodeForStatus } from './exit-codes.js';
import { CommandExit, printRedactor, writeJson, writeLine } from './output.js';
import { askLine, isYes, openSession } from './support.js';

/**
 * `frontendops deploy [--commit SHA]`, through the same MCP tool layer and pipeline as `ask`: stack
 * outputs from the pulumi server, the commit checked with the github server, the CDN invalidated
 * through the pulumi server and the release tagged through the github server — audited like every
 * other request. The flags become one `DeployIntent` (with `dryRun`); the CLI keeps its own printing.
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
  confirm?: (confirmation: Confirmation) => Promise<boolean>;
  onProgress?: (event: ProgressEvent) => void;
}

/** The flags as one typed request; a bad `--commit` is refused without echoing it (it may be a token). */
export function deployIntentFromFlags(commit: string | undefined, dryRun: boolean): DeployIntent {
  if (commit === undefined) return { kind: 'deploy', target: { kind: 'latest' }, dryRun };
  if (!/^[0-9a-f]{7,40}$/.test(commit)) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      '--commit is not a commit sha (7 to 40 lowercase hex characters)',
      {
        hint: 'Pass a lowercase commit sha (git rev-parse HEAD), or leave --commit out for the latest build.',
      },
    );
  }
  return { kind: 'deploy', target: { kind: 'commit', sha: commit }, dryRun };
}

export async function deployCommandThroughMcp(
  ctx: CliContext,
  request: DeployCommandRequest,
): Promise<DeployOutcome> {
  const intent = deployIntentFromFlags(request.commit, request.dryRun);
  if (request.adopt !== undefined && !AdoptionIdSchema.safeParse(request.adopt).success) {
    throw new FrontendOpsError('BAD_INPUT', '--adopt is not an adoption id (12 lowercase hex characters)', {
      hint: 'Run `frontendops deploy --dry-run` and pass the adoption id it shows.',
    });
  }
  const session = await openSession(
    ctx,
    {
      ...(request.config === undefined ? {} : { config: request.config }),
      ...(request.stack === undefined ? {} : { stack: request.stack }),
    },
    { prestartServers: true },
  );
  try {
    const confirm = request.confirm;
    const flowCtx = await session.startRequest({
      trigger: 'cli',
      text: `deploy${request.commit ? ` --commit ${request.commit}` : ''}${request.adopt ? ` --adopt ${request.adopt}` : ''}${request.dryRun ? ' --dry-run' : ''}`,
      approval: confirm ? { yes: false, ask: confirm } : { yes: true },
      mandate: { kind: 'explicit' },
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
    const { deployThroughMcp } = await import('../agent/flow.js');
    return await deployThroughMcp(
      flowCtx,
      intent,
      request.adopt === undefined ? {} : { adopt: request.adopt },
    );
  } catch (error) {
    // An unreachable endpoint is explained with what the config says about it (how to start it).
    throw await session.explain(error);
  } finally {
    await session.close();
  }
}

/**
 * `frontendops deploy --commit SHA --stack S [--dry-run] [--yes] [--json]`: the engine, driven
 * directly from the stack's state. Without `--yes` it asks on a terminal, showing the plan;
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
    status: errorStatus(error.code),
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

function confirmer(ctx: CliContext, flags: DeployFlags, json: boolean) {
  if (flags.yes || flags.dryRun) return undefined;
  if (!interactive(ctx)) {
    return async (confirmation: Confirmation): Promise<boolean> => {
      throw new FrontendOpsError(
        'REFUSED',
        `not deploying to ${confirmation.stack} without confirmation, and there is no terminal to ask on`,
        {
          hint: 'Add --yes to deploy non-interactively (CI, scripts), or --dry-run to see the plan.',
        },
      );
    };
  }
  return async (confirmation: Confirmation): Promise<boolean> =>
    isYes(await askLine(ctx, printRedactor(ctx).text(confirmQuestion(confirmation)), json));
}

/** A progress bar on a terminal, one line per step otherwise; always on stderr (stdout is the result). */
async function progressReporter(
  ctx: CliContext,
  json: boolean,
): Promise<{ onProgress?: (e: ProgressEvent) => void; stop(): void }> {
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
  // Loaded on use (see commands.ts): only a terminal draws the bar.
  const { SingleBar } = await import('cli-progress');
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

/** The same words as every other entry point, plus the S3 request counts an operator of the CLI wants. */
function printHuman(ctx: CliContext, outcome: DeployOutcome): void {
  const { report } = outcome;
  writeLine(ctx, printRedactor(ctx).text(formatDeployOutcome(outcome)));
  if (report.status !== 'deployed') return;
  const requests = Object.entries(report.requests)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  writeLine(
    ctx,
    `  S3 requests: ${requests}${report.retries > 0 ? ` (${report.retries} retried)` : ''}; ${report.durationMs} ms`,
  );
  const kept = keptUnknownLine(report.plan);
  if (kept) writeLine(ctx, kept);
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
      const progress = await progressReporter(ctx, json);
      const confirm = confirmer(ctx, flags, json);
      try {
        // Through the MCP tool layer, like `ask`: outputs and invalidation via the pulumi
        // server, the commit resolved and the release tagged via the github server, all audited.
        const outcome = await deployCommandThroughMcp(ctx, {
          ...(globals.config === undefined ? {} : { config: globals.config }),
          ...(flags.stack === undefined ? {} : { stack: flags.stack }),
          ...(flags.commit === undefined ? {} : { commit: flags.commit }),
          ...(flags.adopt === undefined ? {} : { adopt: flags.adopt }),
          dryRun: Boolean(flags.dryRun),
          ...(confirm ? { confirm } : {}),
          ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
        });
        progress.stop();
        if (json) writeJson(ctx, printRedactor(ctx).value(deployOutcomeJson(outcome)));
        else printHuman(ctx, outcome);
        const exit = exitCodeForStatus(outcome.report.status);
        if (exit !== EXIT.OK) throw new CommandExit(exit);
      } catch (error) {
        progress.stop();
        if (error instanceof CommandExit) throw error;
        const err = toFrontendOpsError(error);
        if (!json) throw err;
        writeJson(ctx, printRedactor(ctx).value(deployErrorJson(commit, err)));
        throw new CommandExit(exitCodeFor(err.code));
      }
    });
}
