import { FrontendOpsError, toFrontendOpsError } from '../errors.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode, exitCodeFor } from './exit-codes.js';

/** Raised by a command to end with a given exit code after it has printed its own result. */
export class CommandExit extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
  }
}

export function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

export function writeLine(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

/** Prints an error the way every command does: one JSON object with --json, else message + hint on stderr. */
export function reportError(ctx: CliContext, error: unknown, json: boolean): ExitCode {
  const err = toFrontendOpsError(error);
  if (json) {
    writeJson(ctx, { status: 'failed', ...err.toJSON() });
  } else {
    ctx.stderr.write(`error [${err.code}]: ${err.message}\n`);
    if (err.hint) ctx.stderr.write(`hint: ${err.hint}\n`);
  }
  return err instanceof FrontendOpsError ? exitCodeFor(err.code) : EXIT.FAILURE;
}
