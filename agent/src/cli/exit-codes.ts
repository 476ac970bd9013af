import type { ErrorCode } from '../errors.js';
import { errorClass } from '../outcome.js';

/** Documented exit codes (docs/agent.md "Exit codes"; `frontendops --help` prints them). */
export const EXIT = {
  /** Done, or nothing to do (the commit is already live). */
  OK: 0,
  /** Something failed: S3, CloudFront, GitHub, an MCP server, verification. */
  FAILURE: 1,
  /** Bad input: a flag, an argument, the config. Nothing was changed. */
  BAD_INPUT: 2,
  /** Refused or conflicting: a held lock, a declined confirmation, a hostile stack output, a tag clash. */
  REFUSED: 3,
  /**
   * The release went live but did not finish (invalidation, verify, tag, history or prune missing). The
   * result names the missing steps and the command that finishes them.
   */
  INCOMPLETE: 4,
  /** The release went live, failed its health check, and the previous release was restored. */
  ROLLED_BACK: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of an error, by what it means for the person who asked (see outcome.ts). */
export function exitCodeFor(code: ErrorCode): ExitCode {
  switch (errorClass(code)) {
    case 'bad-input':
      return EXIT.BAD_INPUT;
    case 'refused':
    case 'cancelled':
      return EXIT.REFUSED;
    case 'incomplete':
      return EXIT.INCOMPLETE;
    case 'failed':
      return EXIT.FAILURE;
  }
}

/** The exit code of a finished request's `status` (done, planned and no-op are 0). */
export function exitCodeForStatus(status: string, code?: ErrorCode): ExitCode {
  if (code !== undefined) return exitCodeFor(code);
  if (status === 'incomplete') return EXIT.INCOMPLETE;
  if (status === 'rolled_back') return EXIT.ROLLED_BACK;
  if (status === 'failed') return EXIT.FAILURE;
  return EXIT.OK;
}
