import { createRedactor, type Redactor, secretValuesFromEnv } from '../audit/redact.js';
import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import { errorStatus, formatErrorText } from '../outcome.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode, exitCodeFor } from './exit-codes.js';

/** Raised by a command to end with a given exit code after it has printed its own result. */
export class CommandExit extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
  }
}

/**
 * What every echo of the user's input and every answer goes through before it is printed: the
 * credential shapes, plus the secret values this process holds in its environment. A token pasted
 * as `--commit`, a requester or an `ask` text is never printed back.
 */
export function printRedactor(ctx: CliContext): Redactor {
  return createRedactor(secretValuesFromEnv(ctx.env));
}

export function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

export function writeLine(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

/**
 * Prints an error the way every command does — `Refused [CODE] …`, `Failed [CODE] …` or
 * `Cancelled — nothing changed` plus its hint on stderr, or one JSON object with --json — redacted.
 */
export function reportError(ctx: CliContext, error: unknown, json: boolean): ExitCode {
  const err = toFrontendOpsError(error);
  const redactor = printRedactor(ctx);
  if (json) {
    writeJson(ctx, redactor.value({ status: errorStatus(err.code), ...err.toJSON() }));
  } else {
    ctx.stderr.write(`${redactor.text(formatErrorText(err))}\n`);
  }
  return err instanceof FrontendOpsError ? exitCodeFor(err.code) : EXIT.FAILURE;
}
