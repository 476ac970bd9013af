import type { Trigger } from '../deploy/schemas.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { errorStatus, formatErrorText } from '../outcome.js';
import {
  type Approval,
  type DeployOutcome,
  deployThroughMcp,
  type FlowContext,
  finishThroughMcp,
  historyThroughMcp,
  rollbackThroughMcp,
  statusThroughMcp,
} from './flow.js';
import { cannotDo, helpText, type Intent, type Mandate } from './intent.js';
import { deployOutcomeJson, formatDeployOutcome, formatHistory, formatStatus } from './report.js';
import type { RequestOptions, Session } from './session.js';

/**
 * Runs one understood request (an `Intent`) through the flow and says what happened, as text for a
 * person and as one JSON object for `--json`. The offline router, the CLI verbs, the agent's MCP
 * server and the model's guarded tools all end here, with the intent exactly as the entry point built
 * it: nothing is rebuilt on the way, so a dry run stays a dry run.
 */

export const DEFAULT_HISTORY_LIMIT = 10;

export interface Answer {
  text: string;
  json: Record<string, unknown>;
  /** False for refusals, cancellations and failures; the CLI maps `error.code` to its exit code. */
  ok: boolean;
  error?: FrontendOpsError;
}

export interface DispatchOptions {
  trigger: Trigger;
  /** The words of the request, for the audit log. */
  text: string;
  approval: Approval;
  /**
   * What the request allows to change: `{ kind: 'explicit' }` when the intent came from flags or a
   * tool call, the words' own mandate when it came from `ask`/`chat` text.
   */
  mandate: Mandate;
  requester?: string;
  onProgress?: RequestOptions['onProgress'];
  /** The stack the request is about (default: the session's). */
  stack?: string;
  job?: RequestOptions['job'];
}

/** `Refused [CODE] …`, `Failed [CODE] …` or `Cancelled — nothing changed: …`, redacted. */
export function answerFromError(error: unknown, redact: (text: string) => string = (t) => t): Answer {
  const err = toFrontendOpsError(error);
  const message = redact(err.message);
  const hint = err.hint === undefined ? undefined : redact(err.hint);
  return {
    ok: false,
    error: err,
    text: formatErrorText({ code: err.code, message, hint }),
    json: { status: errorStatus(err.code), code: err.code, message, ...(hint ? { hint } : {}) },
  };
}

/** The answer to `help`, an unknown request or an unclear one: needs no stack, no server. */
export function answerOffline(intent: Extract<Intent, { kind: 'help' | 'unknown' | 'ambiguous' }>): Answer {
  if (intent.kind === 'help')
    return { ok: true, text: helpText(), json: { status: 'help', text: helpText() } };
  if (intent.kind === 'ambiguous') {
    return answerFromError(
      new FrontendOpsError('AMBIGUOUS_REQUEST', intent.question, {
        hint: 'Say it again with one plain target, or use `frontendops deploy --commit SHA` / `frontendops rollback --to TAG`.',
      }),
    );
  }
  const text = cannotDo(intent.reason);
  return {
    ok: false,
    text,
    error: new FrontendOpsError('BAD_INPUT', `I can't do that (${intent.reason})`),
    json: { status: 'refused', code: 'BAD_INPUT', message: text },
  };
}

/**
 * A release that went live and then did not finish (`incomplete`, exit 4) or was rolled back after a
 * failed check (`rolled_back`, exit 5) is not a success: the answer carries the error that says so.
 */
export function answerFromOutcome(outcome: DeployOutcome): Answer {
  const text = formatDeployOutcome(outcome);
  const json = deployOutcomeJson(outcome);
  const { report } = outcome;
  if (report.status === 'incomplete') {
    return {
      ok: false,
      text,
      json,
      error: new FrontendOpsError('RELEASE_INCOMPLETE', String(json.message), {
        ...(report.finishCommand ? { hint: `Finish it with \`${report.finishCommand}\`.` } : {}),
        data: { missing: report.missing ?? [], ...(report.error ? { cause: report.error.code } : {}) },
      }),
    };
  }
  if (report.status === 'rolled_back') {
    return {
      ok: false,
      text,
      json,
      error: new FrontendOpsError(report.error?.code ?? 'HEALTH_CHECK_FAILED', String(json.message), {
        data: { restored: report.restored },
      }),
    };
  }
  return { ok: true, text, json };
}

/** Runs an understood intent on a flow context (the model's guarded tools call this directly). */
export async function runIntent(ctx: FlowContext, intent: Intent): Promise<Answer> {
  switch (intent.kind) {
    case 'deploy': {
      const outcome = await deployThroughMcp(ctx, intent);
      return answerFromOutcome(outcome);
    }
    case 'rollback': {
      const outcome = await rollbackThroughMcp(ctx, intent);
      return answerFromOutcome(outcome);
    }
    case 'status': {
      const status = await statusThroughMcp(ctx);
      return { ok: true, text: formatStatus(status), json: { status: 'ok', ...status } };
    }
    case 'history': {
      const entries = await historyThroughMcp(ctx, intent.limit ?? DEFAULT_HISTORY_LIMIT);
      return { ok: true, text: formatHistory(entries), json: { status: 'ok', deploys: entries } };
    }
    case 'help':
    case 'unknown':
    case 'ambiguous':
      return answerOffline(intent);
  }
}

/** Starts an audited request on the session, runs the intent, and records refusals of unknown requests. */
export async function dispatchIntent(
  session: Session,
  intent: Intent,
  options: DispatchOptions,
): Promise<Answer> {
  let ctx: FlowContext;
  try {
    ctx = await session.startRequest({
      trigger: options.trigger,
      text: options.text,
      approval: options.approval,
      mandate: options.mandate,
      ...(options.requester === undefined ? {} : { requester: options.requester }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.stack === undefined ? {} : { stack: options.stack }),
      ...(options.job === undefined ? {} : { job: options.job }),
    });
  } catch (error) {
    return answerFromError(await session.explain(error), session.redactor.text);
  }
  const started = ctx.now().getTime();
  try {
    const answer = await runIntent(ctx, intent);
    if (intent.kind === 'unknown' || intent.kind === 'help' || intent.kind === 'ambiguous') {
      await ctx.tools.trail.write({
        kind: 'result',
        status: intent.kind === 'help' ? 'help' : 'refused',
        ...(intent.kind === 'unknown' ? { code: 'BAD_INPUT', message: intent.reason } : {}),
        ...(intent.kind === 'ambiguous' ? { code: 'AMBIGUOUS_REQUEST', message: intent.question } : {}),
        durationMs: ctx.now().getTime() - started,
      });
    } else if (intent.kind === 'status' || intent.kind === 'history') {
      await ctx.tools.trail.write({
        kind: 'result',
        status: 'ok',
        durationMs: ctx.now().getTime() - started,
      });
    }
    // Answers carry repository text (commit subjects): whatever secret it holds is not printed.
    return {
      ...answer,
      text: session.redactor.text(answer.text),
      json: session.redactor.value(answer.json) as Record<string, unknown>,
    };
  } catch (error) {
    if (intent.kind === 'status' || intent.kind === 'history') {
      const err = toFrontendOpsError(error);
      await ctx.tools.trail
        .write({
          kind: 'result',
          status: 'failed',
          code: err.code,
          message: err.message,
          durationMs: ctx.now().getTime() - started,
        })
        .catch(() => undefined);
    }
    return answerFromError(await session.explain(error), session.redactor.text);
  }
}

/**
 * Runs one audited flow that is not an `Intent` (`status --finish`, `unlock`) and says what happened,
 * redacted like every answer.
 */
export async function dispatchFlow(
  session: Session,
  options: DispatchOptions,
  run: (ctx: FlowContext) => Promise<Answer>,
): Promise<Answer> {
  try {
    const ctx = await session.startRequest({
      trigger: options.trigger,
      text: options.text,
      approval: options.approval,
      mandate: options.mandate,
      ...(options.requester === undefined ? {} : { requester: options.requester }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    const answer = await run(ctx);
    return {
      ...answer,
      text: session.redactor.text(answer.text),
      json: session.redactor.value(answer.json) as Record<string, unknown>,
    };
  } catch (error) {
    return answerFromError(error, session.redactor.text);
  }
}

/** `status --finish`: the unfinished release finished (or what is still missing). */
export function dispatchFinish(session: Session, options: DispatchOptions): Promise<Answer> {
  return dispatchFlow(session, options, async (ctx) => answerFromOutcome(await finishThroughMcp(ctx)));
}
