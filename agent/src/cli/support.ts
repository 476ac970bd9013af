import { createInterface } from 'node:readline';
import type { Answer } from '../agent/dispatch.js';
import type { Approval, Confirmation } from '../agent/flow.js';
import type { Intent } from '../agent/intent.js';
import { confirmQuestion } from '../agent/report.js';
import type { Session, SessionOptions } from '../agent/session.js';
import type { ProgressEvent } from '../deploy/pipeline.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode, exitCodeForStatus } from './exit-codes.js';
import { printRedactor } from './output.js';

/** What the agent's CLI commands share: opening a session, asking for confirmation, printing answers. */

export interface CommonFlags {
  config?: string;
  json?: boolean;
  stack?: string;
  yes?: boolean;
  dryRun?: boolean;
}

export async function openSession(
  ctx: CliContext,
  flags: CommonFlags,
  extra: Partial<SessionOptions> = {},
): Promise<Session> {
  // Loaded on use: a session pulls in the AWS and MCP SDKs, which `--version` and `--help` must not pay for.
  const { Session } = await import('../agent/session.js');
  return Session.open({
    ...(flags.config === undefined ? {} : { configPath: flags.config }),
    ...(flags.stack === undefined ? {} : { stackName: flags.stack }),
    cwd: ctx.cwd,
    env: ctx.env,
    now: ctx.now,
    clientVersion: VERSION,
    ...extra,
  });
}

/** Reads one answer from stdin; end of input counts as "no". */
export function askLine(ctx: CliContext, question: string, json: boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, output: json ? ctx.stderr : ctx.stdout, terminal: false });
    let answered = false;
    rl.on('close', () => {
      if (!answered) resolve(undefined);
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });
}

export function isYes(answer: string | undefined): boolean {
  return answer !== undefined && /^\s*(y|yes)\s*$/i.test(answer);
}

/** `--yes`, else ask on this terminal, showing the plan. */
export function terminalApproval(ctx: CliContext, flags: CommonFlags): Approval {
  return {
    yes: Boolean(flags.yes),
    ask: async (confirmation: Confirmation) =>
      isYes(await askLine(ctx, printRedactor(ctx).text(confirmQuestion(confirmation)), Boolean(flags.json))),
  };
}

/** One line per deploy step on stderr (never on stdout, which `--json` keeps for the result). */
export function progressPrinter(
  ctx: CliContext,
  json: boolean,
): ((event: ProgressEvent) => void) | undefined {
  if (json) return undefined;
  let last = '';
  return (event) => {
    // Every wait is news (a new attempt, more time gone); other steps print once.
    const key = event.step === 'wait' ? `wait:${event.message}` : `${event.step}:${event.phase ?? ''}`;
    if (key === last) return;
    last = key;
    const what =
      event.message ?? (event.phase ? `copying ${event.phase} files (${event.total} to copy)` : event.step);
    ctx.stderr.write(`  … ${what}\n`);
  };
}

/** The exit code an answer means: its error's code, else its status (see `frontendops --help`). */
export function exitCodeOfAnswer(answer: Answer): ExitCode {
  // A release that went live and then did not finish (4) or was rolled back (5) carries the error that
  // says why; its status, not that error's code, is what the exit code tells.
  const status = answer.json.status;
  if (status === 'incomplete' || status === 'rolled_back') return exitCodeForStatus(status);
  if (answer.error) return exitCodeForStatus('failed', answer.error.code);
  if (!answer.ok) return EXIT.FAILURE;
  return exitCodeForStatus(String(answer.json.status));
}

/** Prints an answer (text or one JSON object), redacted, and returns the exit code it means. */
export function printAnswer(ctx: CliContext, answer: Answer, json: boolean): ExitCode {
  const status = answer.json.status;
  // A release that went live is reported on stdout whatever became of it: it is the command's result.
  const wentLive = status === 'incomplete' || status === 'rolled_back';
  const redactor = printRedactor(ctx);
  if (json) ctx.stdout.write(`${JSON.stringify(redactor.value(answer.json))}\n`);
  else if (answer.ok || wentLive) ctx.stdout.write(`${redactor.text(answer.text)}\n`);
  else ctx.stderr.write(`${redactor.text(answer.text)}\n`);
  return exitCodeOfAnswer(answer);
}

/** One request through the flow, printed, with the exit code it means (`rollback`, `status`, `history`). */
export async function runVerb(
  ctx: CliContext,
  flags: CommonFlags,
  intent: Intent,
  text: string,
): Promise<ExitCode> {
  const json = Boolean(flags.json);
  const session = await openSession(ctx, flags, { prestartServers: true });
  try {
    const { dispatchIntent } = await import('../agent/dispatch.js');
    const onProgress = progressPrinter(ctx, json);
    // Flags are a structured request: the intent they build is the act itself.
    const answer = await dispatchIntent(session, intent, {
      trigger: 'cli',
      text,
      approval: terminalApproval(ctx, flags),
      mandate: { kind: 'explicit' },
      ...(onProgress ? { onProgress } : {}),
    });
    return printAnswer(ctx, answer, json);
  } finally {
    await session.close();
  }
}
