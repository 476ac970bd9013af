import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { CliContext } from '../cli/context.js';
import { EXIT, type ExitCode } from '../cli/exit-codes.js';
import {
  type CommonFlags,
  openSession,
  printAnswer,
  progressPrinter,
  terminalApproval,
} from './cli-support.js';
import { answerFromError, dispatchIntent } from './dispatch.js';
import { routeIntent } from './intent.js';
import type { Session, SessionOptions } from './session.js';

/**
 * `frontendops ask "<request>"`: one request in plain words. With FRONTENDOPS_MODEL (or an injected
 * model) a LangChain agent answers; otherwise the offline intent router does. Both end in the same
 * flow, audited under trigger `cli`.
 */

export interface AskDeps {
  /** A chat model to use instead of FRONTENDOPS_MODEL (tests pass a scripted fake). */
  model?: BaseChatModel;
  session?: Partial<SessionOptions>;
}

export async function runModelRequest(
  session: Session,
  model: BaseChatModel,
  text: string,
  options: {
    ctx: CliContext;
    flags: CommonFlags;
    trigger: 'cli' | 'chat';
    history?: BaseMessage[];
  },
) {
  const { askModel } = await import('./model.js');
  const flowCtx = await session.startRequest({
    trigger: options.trigger,
    text,
    approval: terminalApproval(options.ctx, options.flags),
  });
  const started = flowCtx.now().getTime();
  try {
    const turn = await askModel(flowCtx, model, text, {
      redact: session.redactor.text,
      ...(options.history ? { history: options.history } : {}),
    });
    await flowCtx.tools.trail.write({
      kind: 'result',
      status: 'answered',
      durationMs: flowCtx.now().getTime() - started,
    });
    return turn;
  } catch (error) {
    const answer = answerFromError(error, session.redactor.text);
    await flowCtx.tools.trail
      .write({
        kind: 'result',
        status: 'failed',
        code: answer.error?.code ?? 'INTERNAL',
        message: answer.error?.message ?? '',
        durationMs: flowCtx.now().getTime() - started,
      })
      .catch(() => undefined);
    throw error;
  }
}

export async function runAsk(
  ctx: CliContext,
  text: string,
  flags: CommonFlags,
  deps: AskDeps = {},
): Promise<ExitCode> {
  const json = Boolean(flags.json);
  const spec = ctx.env.FRONTENDOPS_MODEL;
  const useModel = deps.model !== undefined || (spec !== undefined && spec !== '');
  const intent = routeIntent(text);
  if (!useModel && (intent.kind === 'help' || intent.kind === 'unknown')) {
    // Help and refusals need no stack: answer even without a usable config (audited when there is one).
    const session = await openSession(ctx, flags, deps.session).catch(() => undefined);
    if (!session) {
      const { answerOffline } = await import('./dispatch.js');
      return printAnswer(ctx, answerOffline(intent), json);
    }
    try {
      return printAnswer(
        ctx,
        await dispatchIntent(session, intent, { trigger: 'cli', text, approval: { yes: false } }),
        json,
      );
    } finally {
      await session.close();
    }
  }
  const session = await openSession(ctx, flags, deps.session);
  try {
    if (useModel) {
      let model = deps.model;
      if (!model) {
        const { loadChatModel } = await import('./model.js');
        model = await loadChatModel(spec as string);
      }
      try {
        const turn = await runModelRequest(session, model, text, { ctx, flags, trigger: 'cli' });
        if (json)
          ctx.stdout.write(
            `${JSON.stringify({ status: 'answered', text: turn.text, toolCalls: turn.toolCalls.map((c) => c.name) })}\n`,
          );
        else ctx.stdout.write(`${turn.text}\n`);
        return EXIT.OK;
      } catch (error) {
        return printAnswer(ctx, answerFromError(error, session.redactor.text), json);
      }
    }
    const onProgress = progressPrinter(ctx, json);
    const answer = await dispatchIntent(session, intent, {
      trigger: 'cli',
      text,
      approval: terminalApproval(ctx, flags),
      ...(onProgress ? { onProgress } : {}),
    });
    return printAnswer(ctx, answer, json);
  } finally {
    await session.close();
  }
}
