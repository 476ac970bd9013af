import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

/**
 * The Octokit client of the github MCP server: REST API, retries on 5xx and network errors
 * (@octokit/plugin-retry), GitHub's primary and secondary rate limits respected (@octokit/plugin-throttling).
 */

const OctokitWithPlugins = Octokit.plugin(retry, throttling);
/** The REST surface the backend uses; the plugins act inside `request`. */
export type GitHubClient = Octokit;

export interface GitHubClientOptions {
  token: string;
  /** `https://api.github.com` by default; GitHub Enterprise Server: `https://HOST/api/v3`. */
  baseUrl?: string;
  userAgent?: string;
  /** Injected fetch (default: global fetch). */
  fetch?: typeof fetch;
  /** Diagnostics line sink (stderr in the bin). Never receives the token. */
  log?: (line: string) => void;
  /** Wait longer than this for a rate limit and we fail with GITHUB_RATE_LIMITED instead. Default 60 s. */
  maxRateLimitWaitSeconds?: number;
  /** Retries of 5xx and network failures. Default 3. */
  retries?: number;
  /** Milliseconds per "second" of back-off (both plugins). Default 1000; tests shrink it. */
  retryAfterBaseValue?: number;
}

/** Rate-limit waits per request before giving up (primary and secondary limits together). */
const MAX_RATE_LIMIT_RETRIES = 2;

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const log = options.log ?? (() => {});
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const base = options.retryAfterBaseValue ?? 1000;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const wait = retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= maxWait;
      log(
        `github: ${kind} on ${request.method} ${request.url}; ${wait ? `retrying in ${retryAfter}s` : 'giving up'}`,
      );
      return wait;
    };
  return new OctokitWithPlugins({
    auth: options.token,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl.replace(/\/+$/, '') }),
    userAgent: options.userAgent ?? 'frontendops-github-mcp',
    ...(options.fetch === undefined ? {} : { request: { fetch: options.fetch } }),
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => log(`github: ${message}`),
      error: (message: string) => log(`github: ${message}`),
    },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: base },
    throttle: {
      retryAfterBaseValue: base,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
  });
}
