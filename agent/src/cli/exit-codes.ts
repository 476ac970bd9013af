import type { ErrorCode } from '../errors.js';

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
  'CANCELLED',
  'AMBIGUOUS_REQUEST',
]);

export function exitCodeFor(code: ErrorCode): ExitCode {
  if (BAD_INPUT_CODES.has(code)) return EXIT.BAD_INPUT;
  if (REFUSED_CODES.has(code)) return EXIT.REFUSED;
  if (code === 'RELEASE_INCOMPLETE') return EXIT.INCOMPLETE;
  return EXIT.FAILURE;
}
