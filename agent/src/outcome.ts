import type { ErrorCode } from './errors.js';

/**
 * Every answer FrontendOps gives ends in one of a few outcomes, each with one wording and one exit
 * code (the CLI's `exit-codes.ts`): done (`Deployed …`, `Rolled back …`, `Nothing to do …`, a dry
 * run's plan), `Cancelled — nothing changed` (the person said no), `Refused [CODE] …` (a rule or bad
 * input: nothing changed), `Failed [CODE] …` (a fault), `Incomplete [RELEASE_INCOMPLETE] …` (live, but
 * steps are missing), and an automatic rollback after a failed health check.
 */

/** What an error means for the person who asked. */
export type ErrorClass = 'bad-input' | 'refused' | 'cancelled' | 'incomplete' | 'failed';

/** Statuses of an answer that is an error (`--json` `status`). */
export type ErrorStatus = 'refused' | 'cancelled' | 'incomplete' | 'failed';

const BAD_INPUT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_INPUT',
  'CONFIG_INVALID',
  'STACK_NOT_CONFIGURED',
  'TAG_INVALID',
  'INVALIDATION_REJECTED',
  'BUILD_NOT_FOUND',
  'TAG_NOT_FOUND',
  'COMMIT_NOT_FOUND',
  'MODEL_NOT_CONFIGURED',
]);

const REFUSED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'REFUSED',
  'DEPLOY_IN_PROGRESS',
  'PUBLISH_IN_PROGRESS',
  'SYNC_COMMAND_REJECTED',
  'TAG_CONFLICT',
  'BUILD_EXISTS',
  'NOTHING_TO_ROLL_BACK',
  'SANDBOX_BUSY',
  'SYNC_COMMAND_MISMATCH',
  'RESERVED_PATH',
  'BUILD_INCOMPLETE',
  'BUILD_CORRUPT',
  'IMMUTABLE_CHANGED',
  'AMBIGUOUS_REQUEST',
]);

export function errorClass(code: ErrorCode): ErrorClass {
  if (code === 'CANCELLED') return 'cancelled';
  if (code === 'RELEASE_INCOMPLETE') return 'incomplete';
  if (BAD_INPUT_CODES.has(code)) return 'bad-input';
  if (REFUSED_CODES.has(code)) return 'refused';
  return 'failed';
}

/** Bad input is refused too: nothing was changed because the request could not be accepted. */
export function errorStatus(code: ErrorCode): ErrorStatus {
  const kind = errorClass(code);
  return kind === 'bad-input' ? 'refused' : kind;
}

/** `Refused [CODE] message` / `Failed [CODE] message` / `Cancelled — nothing changed: …`, plus the hint. */
export function formatErrorText(error: {
  code: ErrorCode;
  message: string;
  hint?: string | undefined;
}): string {
  const message = error.message.replace(/\s*\n\s*/g, ' ');
  const hint = error.hint ? `\nhint: ${error.hint}` : '';
  switch (errorStatus(error.code)) {
    case 'cancelled':
      return `Cancelled — nothing changed: ${message}${hint}`;
    case 'refused':
      return `Refused [${error.code}] ${message}${hint}`;
    case 'incomplete':
      return `Incomplete [${error.code}] ${message}${hint}`;
    case 'failed':
      return `Failed [${error.code}] ${message}${hint}`;
  }
}
