import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Command } from 'commander';
import type { SessionOptions } from '../agent/session.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit, printRedactor } from './output.js';
import { type CommonFlags, openSession, printAnswer, progressPrinter, terminalApproval } from './support.js';

/**
 * `frontendops ask "<request>"`: one request in plain words. With FRONTENDOPS_MODEL (or an injected
 * model) a LangChain agent answers; otherwise the offline intent router does. Both end in the same
 * flow, audited under trigger `cli`, and both may change only what the words plainly order (a
 * question or a preview never changes anything); `--dry-run` makes any request a dry run.
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
  const dryRun = Boolean(flags.dryRun);
  const spec = ctx.env.FRONTENDOPS_MODEL;
  const useModel = deps.model !== undefined || (spec !== undefined && spec !== '');
  // Loaded on use (see commands.ts): the router now, the flow once the session has started the servers.
  const { asDryRun, routeIntent, wordsMandate } = await import('../agent/intent.js');
  const routed = routeIntent(text);
  const intent = dryRun ? asDryRun(routed) : routed;
  const mandate = wordsMandate(routed, dryRun ? 'it was asked with --dry-run' : undefined);
  if (!useModel && (intent.kind === 'help' || intent.kind === 'unknown' || intent.kind === 'ambiguous')) {
    // Help and refusals need no stack: answer even without a usable config (audited when there is one).
    const session = await openSession(ctx, flags, deps.session).catch(() => undefined);
    const { answerOffline, dispatchIntent } = await import('../agent/dispatch.js');
    if (!session) {
      return printAnswer(ctx, answerOffline(intent), json);
    }
    try {
      return printAnswer(
        ctx,
        await dispatchIntent(session, intent, { trigger: 'cli', text, approval: { yes: false }, mandate }),
        json,
      );
    } finally {
      await session.close();
    }
  }
  // A model is checked (provider, key) before anything starts: a missing key is a configuration error.
  let model = deps.model;
  if (useModel && !model) {
    const { loadChatModel } = await import('../agent/model.js');
    model = await loadChatModel(spec as string, ctx.env);
  }
  const session = await openSession(ctx, flags, { prestartServers: true, ...deps.session });
  try {
    const { answerFromError, dispatchIntent } = await import('../agent/dispatch.js');
    if (model) {
      try {
        const { runModelRequest } = await import('../agent/model-request.js');
        const turn = await runModelRequest(session, model, text, {
          approval: terminalApproval(ctx, flags),
          trigger: 'cli',
          dryRun,
        });
        const redactor = printRedactor(ctx);
        if (json)
          ctx.stdout.write(
            `${JSON.stringify(redactor.value({ status: 'answered', text: turn.text, toolCalls: turn.toolCalls.map((c) => c.name) }))}\n`,
          );
        else ctx.stdout.write(`${redactor.text(turn.text)}\n`);
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
      mandate,
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
    .option('--dry-run', 'only show what would change, whatever the request says')
    .option('-y, --yes', 'apply without asking for confirmation (questions and dry runs never apply)')
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (words: string[], _options: unknown, command: Command) => {
      const code = await runAsk(ctx, words.join(' '), command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
