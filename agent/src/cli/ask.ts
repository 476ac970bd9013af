import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Command } from 'commander';
import { answerFromError, answerOffline, dispatchIntent } from '../agent/dispatch.js';
import { routeIntent } from '../agent/intent.js';
import type { SessionOptions } from '../agent/session.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { type CommonFlags, openSession, printAnswer, progressPrinter, terminalApproval } from './support.js';

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
        const { loadChatModel } = await import('../agent/model.js');
        model = await loadChatModel(spec as string);
      }
      try {
        const { runModelRequest } = await import('../agent/model-request.js');
        const turn = await runModelRequest(session, model, text, {
          approval: terminalApproval(ctx, flags),
          trigger: 'cli',
        });
        if (json)
          ctx.stdout.write(
            `${JSON.stringify({ status: 'answered', text: turn.text, toolCalls: turn.toolCalls.map((c) => c.name) })}\n`,
          );
        else ctx.stdout.write(`${turn.text}\n`);
        return EXIT.OK;
      } catch (error) {
        return printAnswer(ctx, answerFromError(await session.explain(error), session.redactor.text), json);
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

export function registerAskCommand(program: Command, ctx: CliContext): void {
  program
    .command('ask')
    .description(
      'Ask the agent in plain words, e.g. "Deploy the latest dashboard" ("help" lists what it can do).',
    )
    .argument('<request...>', 'the request')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (words: string[], _options: unknown, command: Command) => {
      const code = await runAsk(ctx, words.join(' '), command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
