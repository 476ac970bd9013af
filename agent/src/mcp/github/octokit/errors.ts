import { FrontendOpsError } from '../../../errors.js';

/**
 * Octokit failures → FrontendOpsError. Every text that leaves here passes through `redact`, so a token
 * never reaches a tool result or a log, even if a server (or proxy) echoes it back in an error body.
 */

export const TOKEN_HINT =
  'The token needs contents: write on the repository (fine-grained token: "Contents: Read and write"; ' +
  'classic token: the "repo" scope), in GITHUB_TOKEN or GITHUB_PERSONAL_ACCESS_TOKEN.';

/** Shapes of GitHub tokens, redacted even when we do not know the value (e.g. a different token echoed). */
const TOKEN_PATTERNS = [/\bgh[pousr]_[A-Za-z0-9]{16,}\b/g, /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g];

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, '[REDACTED]');
  // `Authorization: token X` / `Bearer X` echoed back: a credential-looking word after the scheme.
  return out.replace(/\b((?:bearer|token)\s+)[A-Za-z0-9_.-]{20,}/gi, '$1[REDACTED]');
}

interface HttpErrorLike {
  status: number;
  message: string;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

export function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    error instanceof Error &&
    typeof (error as { status?: unknown }).status === 'number' &&
    (error as { request?: unknown }).request !== undefined
  );
}

export function httpStatus(error: unknown): number | undefined {
  return isHttpError(error) ? error.status : undefined;
}

/** GitHub's own `message` from the error body, else Octokit's message. */
export function apiMessage(error: HttpErrorLike): string {
  const data = error.response?.data;
  if (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { message?: unknown }).message === 'string'
  ) {
    return (data as { message: string }).message;
  }
  return error.message;
}

function isRateLimited(error: HttpErrorLike): boolean {
  if (error.status === 429) return true;
  if (error.status !== 403) return false;
  return (
    String(error.response?.headers?.['x-ratelimit-remaining']) === '0' ||
    /rate limit/i.test(apiMessage(error))
  );
}

function resetAt(error: HttpErrorLike): string | undefined {
  const reset = Number(error.response?.headers?.['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return new Date(reset * 1000).toISOString();
  const retryAfter = Number(error.response?.headers?.['retry-after']);
  return Number.isFinite(retryAfter) && retryAfter > 0 ? `${retryAfter}s from the response` : undefined;
}

export interface ErrorContext {
  /** "list commits of sophia-ai/sophia" — what we were doing. */
  what: string;
  secrets: readonly string[];
  /** The error for a 404 (and for statuses listed in `notFoundStatuses`) in this context. */
  notFound?: (detail: string) => FrontendOpsError;
  notFoundStatuses?: readonly number[];
}

export function mapOctokitError(error: unknown, context: ErrorContext): FrontendOpsError {
  if (error instanceof FrontendOpsError) return error;
  const clean = (text: string) => redact(text, context.secrets);
  if (!isHttpError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new FrontendOpsError('GITHUB_ERROR', clean(`could not ${context.what}: ${message}`), {
      hint: 'Check the network path to the GitHub API (GITHUB_API_URL for GitHub Enterprise).',
    });
  }
  const detail = clean(apiMessage(error));
  if (error.status === 401) {
    return new FrontendOpsError(
      'GITHUB_AUTH',
      `GitHub rejected the token (401: ${detail}) trying to ${context.what}`,
      {
        hint: TOKEN_HINT,
      },
    );
  }
  if (isRateLimited(error)) {
    const when = resetAt(error);
    return new FrontendOpsError(
      'GITHUB_RATE_LIMITED',
      `GitHub rate limit reached trying to ${context.what}: ${detail}`,
      {
        hint: when === undefined ? 'Wait for the rate limit to reset, then retry.' : `Retry after ${when}.`,
        data: { status: error.status, ...(when === undefined ? {} : { resetAt: when }) },
      },
    );
  }
  if (error.status === 403) {
    return new FrontendOpsError('GITHUB_AUTH', `GitHub refused to ${context.what} (403: ${detail})`, {
      hint: TOKEN_HINT,
    });
  }
  if (
    context.notFound !== undefined &&
    (error.status === 404 || context.notFoundStatuses?.includes(error.status))
  ) {
    return context.notFound(detail);
  }
  if (error.status === 404) {
    return new FrontendOpsError(
      'GITHUB_ERROR',
      `GitHub found nothing trying to ${context.what} (404: ${detail})`,
      {
        hint: `Check owner and repo. A private repository the token cannot see also answers 404. ${TOKEN_HINT}`,
      },
    );
  }
  return new FrontendOpsError(
    'GITHUB_ERROR',
    `GitHub answered ${error.status} trying to ${context.what}: ${detail}`,
    {
      hint:
        error.status >= 500
          ? 'GitHub failed after retries; try again later.'
          : 'See the message from GitHub above.',
      data: { status: error.status },
    },
  );
}
