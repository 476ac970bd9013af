import { createInterface } from 'node:readline';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { Command } from 'commander';
import type { Approval } from '../agent/flow.js';
import { confirmQuestion } from '../agent/report.js';
import type { SessionOptions } from '../agent/session.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit, printRedactor } from './output.js';
import { type CommonFlags, isYes, openSession, progressPrinter, terminalApproval } from './support.js';

/**
 * `frontendops chat`: a REPL over the same requests as `ask`. Line history with ↑/↓ (readline). One
 * request at a time; a production apply asks for confirmation in the chat, showing the plan, and a
 * "no" is `Cancelled — nothing changed`. Ctrl-C is safe: it answers "no" to a pending confirmation,
 * never interrupts a deploy in flight (that would leave a lock and a half-copied release), and leaves
 * only when pressed twice while idle. With `--dry-run` every line is a dry run.
 */

export const PROMPT = 'frontendops> ';
const EXIT_WORDS = /^(exit|quit|bye|:q)$/i;

export interface ChatDeps {
  model?: BaseChatModel;
  session?: Partial<SessionOptions>;
}

export async function runChat(ctx: CliContext, flags: CommonFlags, deps: ChatDeps = {}): Promise<ExitCode> {
  const spec = ctx.env.FRONTENDOPS_MODEL;
  const dryRun = Boolean(flags.dryRun);
  let model = deps.model;
  // Checked before the session starts anything: a missing key is a configuration error naming it.
  if (!model && spec !== undefined && spec !== '') {
    const { loadChatModel } = await import('../agent/model.js');
    model = await loadChatModel(spec, ctx.env);
  }
  const session = await openSession(ctx, flags, { prestartServers: true, ...deps.session });
  // Loaded on use (see commands.ts), while the servers start.
  const [
    { answerFromError, dispatchIntent },
    { asDryRun, routeIntent, wordsMandate },
    { followConfig, withReconnect },
  ] = await Promise.all([
    import('../agent/dispatch.js'),
    import('../agent/intent.js'),
    import('../agent/reconnect.js'),
  ]).catch(async (error: unknown) => {
    await session.close();
    throw error;
  });
  const redactor = printRedactor(ctx);
  const say = (text: string) => ctx.stdout.write(`${redactor.text(text)}\n`);
  let history: BaseMessage[] = [];

  const rl = createInterface({
    input: ctx.stdin,
    output: ctx.stdout,
    terminal: ctx.isTTY,
    historySize: 500,
    prompt: PROMPT,
  });
  let busy = false;
  let pendingAnswer: ((line: string | undefined) => void) | undefined;
  let armedToLeave = false;
  let closed = false;

  // Lines typed ahead (or piped in) wait here, in order.
  const queue: string[] = [];
  const approval: Approval = {
    yes: Boolean(flags.yes),
    ask: (confirmation) =>
      new Promise<boolean>((resolve) => {
        ctx.stdout.write(redactor.text(confirmQuestion(confirmation)));
        const typedAhead = queue.shift();
        if (typedAhead !== undefined) {
          ctx.stdout.write(`${typedAhead}\n`);
          resolve(isYes(typedAhead));
          return;
        }
        if (closed) {
          resolve(false);
          return;
        }
        pendingAnswer = (line) => resolve(isYes(line));
      }),
  };

  const handle = async (line: string): Promise<void> => {
    const text = line.trim();
    if (text === '') return;
    if (EXIT_WORDS.test(text)) {
      rl.close();
      return;
    }
    if (model) {
      const refused = await followConfig(session, say);
      if (refused) {
        say(refused.text);
        return;
      }
      try {
        const { runModelRequest } = await import('../agent/model-request.js');
        const turn = await runModelRequest(session, model, text, {
          approval: terminalApproval(ctx, flags),
          trigger: 'chat',
          history,
          dryRun,
        });
        history = turn.messages;
        say(turn.text);
      } catch (error) {
        say(answerFromError(await session.explain(error), session.redactor.text).text);
      }
      return;
    }
    const onProgress = progressPrinter(ctx, false);
    const routed = routeIntent(text);
    // The sandbox may have been restarted since the last line: follow its config, say so in one line.
    const answer = await withReconnect(
      session,
      () =>
        dispatchIntent(session, dryRun ? asDryRun(routed) : routed, {
          trigger: 'chat',
          text,
          approval,
          mandate: wordsMandate(routed, dryRun ? 'the chat runs with --dry-run' : undefined),
          ...(onProgress ? { onProgress } : {}),
        }),
      say,
    );
    say(answer.text);
  };

  const onInterrupt = () => {
    if (pendingAnswer) {
      const answer = pendingAnswer;
      pendingAnswer = undefined;
      ctx.stdout.write('\n');
      answer(undefined);
      return;
    }
    if (busy) {
      say('\n(a request is running; it will finish safely — press Ctrl-C again once it is done to leave)');
      return;
    }
    if (armedToLeave) {
      rl.close();
      return;
    }
    armedToLeave = true;
    say('\n(press Ctrl-C again, or type exit, to leave)');
    rl.prompt();
  };

  say(
    `FrontendOps chat — stack ${session.stack.name}${model ? ' (model)' : ''}${dryRun ? ', dry runs only' : ''}. Say "help" to see what I can do.`,
  );
  const done = new Promise<void>((resolve) => {
    rl.on('close', () => {
      closed = true;
      // End of input answers a pending confirmation with "no".
      pendingAnswer?.(undefined);
      pendingAnswer = undefined;
      resolve();
    });
  });
  rl.on('SIGINT', onInterrupt);
  const stopListening = ctx.onShutdown(onInterrupt);

  // Lines are handled one at a time, in order; a line typed while a request runs answers its
  // confirmation question when one is pending, and otherwise waits its turn.
  let draining: Promise<void> = Promise.resolve();
  const drain = async () => {
    while (queue.length > 0) {
      const next = queue.shift() as string;
      busy = true;
      try {
        await handle(next);
      } finally {
        busy = false;
      }
      if (!closed) rl.prompt();
    }
  };
  rl.on('line', (line) => {
    armedToLeave = false;
    if (pendingAnswer) {
      const answer = pendingAnswer;
      pendingAnswer = undefined;
      answer(line);
      return;
    }
    queue.push(line);
    if (!busy) draining = drain();
  });
  rl.prompt();

  await done;
  await draining;
  stopListening();
  await session.close();
  return EXIT.OK;
}

export function registerChatCommand(program: Command, ctx: CliContext): void {
  program
    .command('chat')
    .description('Talk to the agent in a REPL (history with ↑/↓; Ctrl-C twice or "exit" to leave).')
    .option('--dry-run', 'only show what requests would change; change nothing')
    .option('-y, --yes', 'apply without asking for confirmation (questions and dry runs never apply)')
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const code = await runChat(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
