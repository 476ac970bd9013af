/**
 * The one error type of FrontendOps. Every failure a user can see carries a stable `code` (scripts and
 * the MCP tools match on it) and a one-line `hint` a human can act on. `data` holds structured details
 * that are safe to print: never a secret.
 */
export const ERROR_CODES = {
  // --- input and configuration -------------------------------------------------------------
  /** A CLI flag, tool argument or request is malformed. Fix the input named in the message. */
  BAD_INPUT: 'BAD_INPUT',
  /** The config file is missing, not JSON, or fails its schema. The message names the field path. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** The config names no stack with that name. Check `stacks[].name` in the config. */
  STACK_NOT_CONFIGURED: 'STACK_NOT_CONFIGURED',

  // --- stack outputs and the sync command ------------------------------------------------------
  /** `syncCommand` falls outside the strict grammar `aws s3 sync <s3 uri> <s3 uri> [--delete]`. */
  SYNC_COMMAND_REJECTED: 'SYNC_COMMAND_REJECTED',
  /**
   * `syncCommand` parses, but its source is not the stack's `artifactsBucket` output or its destination
   * not its `hostingBucket` output. Refused before the first S3 request; fix the stack's outputs.
   */
  SYNC_COMMAND_MISMATCH: 'SYNC_COMMAND_MISMATCH',
  /** The stack has no outputs, or an output fails its schema. Run `pulumi up` on the hosting stack. */
  STACK_OUTPUT_INVALID: 'STACK_OUTPUT_INVALID',
  /** The stack (or its checkpoint) cannot be found in the configured Pulumi backend. */
  STACK_NOT_FOUND: 'STACK_NOT_FOUND',
  /** The requested output name does not exist on the stack. */
  OUTPUT_NOT_FOUND: 'OUTPUT_NOT_FOUND',
  /** A Pulumi operation needs the Pulumi CLI, which is not installed. */
  PULUMI_CLI_MISSING: 'PULUMI_CLI_MISSING',
  /** The Pulumi backend (Cloud API or state bucket) refused or failed the request. */
  PULUMI_BACKEND_ERROR: 'PULUMI_BACKEND_ERROR',

  // --- builds and deploys -------------------------------------------------------------------
  /** No complete build (`build.json`) exists for the commit. Wait for the build workflow or publish. */
  BUILD_NOT_FOUND: 'BUILD_NOT_FOUND',
  /** A complete build already exists for the commit with different content. Builds are immutable. */
  BUILD_EXISTS: 'BUILD_EXISTS',
  /** `vite build` of the dashboard failed (the demo). The message has vite's last lines; `npm ci`, then fix the commit. */
  DASHBOARD_BUILD_FAILED: 'DASHBOARD_BUILD_FAILED',
  /** A build manifest or release record in the bucket fails its schema. */
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  /** A manifest path falls under a prefix the engine reserves (`builds/`, `releases/`, `locks/`, …). */
  RESERVED_PATH: 'RESERVED_PATH',
  /** The build lacks a required entry file (`index.html`, `version.json`, or the configured list). */
  BUILD_INCOMPLETE: 'BUILD_INCOMPLETE',
  /**
   * A stored build file is missing, or its size or fingerprint differs from what publish recorded in
   * `build.json`. Nothing was copied; publish the commit again from a clean build.
   */
  BUILD_CORRUPT: 'BUILD_CORRUPT',
  /**
   * A file served as immutable (cached for a year) changed content under the same name. Rename it
   * (content hash in the name) or change the cache rule; it is never copied silently.
   */
  IMMUTABLE_CHANGED: 'IMMUTABLE_CHANGED',
  /**
   * A release went live but some later step (invalidate, verify, tag, history, prune) did not finish.
   * The release journal says which; the next deploy, rollback or `status --finish` completes it.
   */
  RELEASE_INCOMPLETE: 'RELEASE_INCOMPLETE',
  /**
   * The site failed its health check after going live (a page or asset missing, or served with the
   * wrong Content-Type). With autoRollback the previous release was restored.
   */
  HEALTH_CHECK_FAILED: 'HEALTH_CHECK_FAILED',
  /** Another deploy holds the stack's lock. Wait for it, or for the lock to expire. */
  DEPLOY_IN_PROGRESS: 'DEPLOY_IN_PROGRESS',
  /**
   * Another `publish` of the same commit holds its publish claim and did not finish within the wait.
   * Nothing was uploaded; publish again once it finished (or its claim expired, judged by S3's clock).
   */
  PUBLISH_IN_PROGRESS: 'PUBLISH_IN_PROGRESS',
  /** The lock was lost (taken over after expiry) while this deploy ran. */
  LOCK_LOST: 'LOCK_LOST',
  /** An S3 request failed after every retry. */
  S3_ERROR: 'S3_ERROR',
  /** A copy reported success but the object is not what the manifest says. */
  COPY_FAILED: 'COPY_FAILED',
  /** The live site does not serve the deployed commit after the invalidation completed. */
  VERIFY_FAILED: 'VERIFY_FAILED',
  /** A policy or rule refused the request (e.g. no one can confirm, --yes is needed). Nothing changed. */
  REFUSED: 'REFUSED',
  /** The person asked declined the confirmation. Nothing changed. */
  CANCELLED: 'CANCELLED',
  /**
   * The request names its target ambiguously or negates it ("not 2c438a2b"). Nothing was guessed and
   * nothing changed; say the target plainly.
   */
  AMBIGUOUS_REQUEST: 'AMBIGUOUS_REQUEST',
  /** There is no earlier release to roll back to. */
  NOTHING_TO_ROLL_BACK: 'NOTHING_TO_ROLL_BACK',

  // --- CDN ------------------------------------------------------------------------------------
  /** An invalidation path is malformed, or there are too many paths or wildcards. */
  INVALIDATION_REJECTED: 'INVALIDATION_REJECTED',
  /** CloudFront refused or failed the invalidation after retries. */
  INVALIDATION_FAILED: 'INVALIDATION_FAILED',
  /** The invalidation did not complete within the allowed wait. */
  INVALIDATION_TIMEOUT: 'INVALIDATION_TIMEOUT',
  /** The distribution has no invalidation with that id. Use an id returned by `invalidate_cdn`. */
  INVALIDATION_NOT_FOUND: 'INVALIDATION_NOT_FOUND',

  // --- git / GitHub -------------------------------------------------------------------------
  /** The tag exists and points at another commit. */
  TAG_CONFLICT: 'TAG_CONFLICT',
  /** The tag name breaks git's ref-name rules. */
  TAG_INVALID: 'TAG_INVALID',
  /** The tag does not exist. */
  TAG_NOT_FOUND: 'TAG_NOT_FOUND',
  /** The commit does not exist in the repository. */
  COMMIT_NOT_FOUND: 'COMMIT_NOT_FOUND',
  /** GitHub refused the token (401/403). The hint names the missing permission. */
  GITHUB_AUTH: 'GITHUB_AUTH',
  /** GitHub's rate limit is exhausted for longer than we wait. `data.resetAt` says when to retry. */
  GITHUB_RATE_LIMITED: 'GITHUB_RATE_LIMITED',
  /** GitHub or git failed in a way not covered above. */
  GITHUB_ERROR: 'GITHUB_ERROR',
  /** A git command failed. */
  GIT_ERROR: 'GIT_ERROR',

  // --- endpoints and models -------------------------------------------------------------------
  /**
   * An endpoint (S3, CloudFront, the edge, an MCP server over HTTP) refused the connection or did not
   * answer within its deadline. The message names the endpoint; the hint says how to start it.
   */
  ENDPOINT_UNREACHABLE: 'ENDPOINT_UNREACHABLE',
  /**
   * FRONTENDOPS_MODEL names a provider whose key or URL is not set (ANTHROPIC_API_KEY, OPENAI_API_KEY,
   * OLLAMA_BASE_URL), or a provider that does not exist.
   */
  MODEL_NOT_CONFIGURED: 'MODEL_NOT_CONFIGURED',

  // --- deploy jobs ----------------------------------------------------------------------------
  /** No deploy job with that id exists in the artifacts bucket. Use an id from `list_deployments`. */
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  /**
   * The agent instance running a deploy job stopped (its lease expired by S3's clock) before the job
   * journaled a release: nothing went live. Deploy again.
   */
  JOB_ABANDONED: 'JOB_ABANDONED',

  // --- MCP -----------------------------------------------------------------------------------
  /** An MCP server could not be started, crashed, timed out or answered garbage. */
  MCP_SERVER_ERROR: 'MCP_SERVER_ERROR',
  /** An MCP tool returned `isError`. The message carries the tool's own code. */
  MCP_TOOL_ERROR: 'MCP_TOOL_ERROR',

  // --- sandbox ---------------------------------------------------------------------------------
  /** A sandbox is already running in that directory, or a port is busy. */
  SANDBOX_BUSY: 'SANDBOX_BUSY',
  /** The sandbox failed to start. */
  SANDBOX_FAILED: 'SANDBOX_FAILED',

  /** Anything unexpected. A bug: please report it with the audit log entry. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FrontendOpsErrorOptions {
  hint?: string;
  data?: Record<string, unknown>;
  cause?: unknown;
}

export class FrontendOpsError extends Error {
  override readonly name = 'FrontendOpsError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: FrontendOpsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.data = options.data;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; data?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.data === undefined ? {} : { data: this.data }),
    };
  }
}

export function isFrontendOpsError(error: unknown, code?: ErrorCode): error is FrontendOpsError {
  return error instanceof FrontendOpsError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a FrontendOpsError, keeping an existing code. */
export function toFrontendOpsError(error: unknown, fallback: ErrorCode = 'INTERNAL'): FrontendOpsError {
  if (error instanceof FrontendOpsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FrontendOpsError(fallback, message, { cause: error });
}
