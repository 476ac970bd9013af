import { createHash } from 'node:crypto';
import mime from 'mime';
import pLimit from 'p-limit';
import { z } from 'zod';
import { HEALTH_CHECK_DEFAULTS, type HealthCheckSettings } from '../config/schema.js';
import {
  type ConnectionFailure,
  connectionFailure,
  isConnectFailure,
  SERVICES,
  unreachableError,
} from '../errors/endpoint.js';
import { FrontendOpsError } from '../errors.js';
import { formatZodIssues } from '../validation.js';
import { extractPageReferences } from './html-references.js';
import { mediaTypeOf, sameMediaType } from './media-type.js';
import { sitePathOf, siteRootUrl, siteUrlOf } from './site-url.js';

/**
 * The site health check (after the invalidation): the page is fetched through the edge at the stack's
 * `url`, and so is every same-origin file it references (html-references.ts). Each must answer 200
 * with the Content-Type the build declares, compared by media type; `version.json` must name the
 * deployed commit, and `index.html` must be this build's (its sha256, when given). A 404, a stale copy
 * or a wrong type is retried with backoff within the retry budget (a CDN may still propagate); what
 * still fails after it is reported. The check reports a failing site, it does not throw for one; it
 * throws ENDPOINT_UNREACHABLE when the edge cannot be reached at all (nothing about the site is known
 * then, and rolling back because of it would be wrong), and BAD_INPUT for a malformed call.
 */

export interface HealthDeps {
  fetch: typeof fetch;
  /** Backoff between retries; the signal, when honoured, ends a wait early once the check is over. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => Date;
  /** The per-request timeout (default `AbortSignal.timeout`); tests fire it without waiting. */
  timeout?: (ms: number) => AbortSignal;
}

export interface HealthFile {
  path: string;
  contentType: string;
  /** When given for `index.html`, the page served must be byte-for-byte this build's. */
  sha256?: string;
}

export interface HealthInput {
  url: string;
  commit: string;
  files: ReadonlyArray<HealthFile>;
}

export interface HealthOptions {
  concurrency?: number;
  timeoutMs?: number;
  retryBudgetMs?: number;
}

export interface HealthFailure {
  /** The site path (`assets/app-1a2b.js`), or the URL path for a same-origin file outside the site. */
  path: string;
  reason: string;
  status?: number;
  contentType?: string;
  expected?: string;
  /** VERIFY_FAILED when `version.json` does not name the commit; HEALTH_CHECK_FAILED otherwise. */
  code?: 'VERIFY_FAILED' | 'HEALTH_CHECK_FAILED';
}

export interface HealthReport {
  ok: boolean;
  /** Distinct URLs checked: the page, `version.json` and every same-origin reference. */
  checked: number;
  failures: HealthFailure[];
  durationMs: number;
}

export const DEFAULT_HEALTH_CONCURRENCY = HEALTH_CHECK_DEFAULTS.concurrency;
export const DEFAULT_HEALTH_TIMEOUT_MS = HEALTH_CHECK_DEFAULTS.timeoutSeconds * 1000;
export const DEFAULT_RETRY_BUDGET_MS = HEALTH_CHECK_DEFAULTS.retryBudgetSeconds * 1000;
/** Attempts for a request that got no answer; with the default timeout a silent edge fails in < 30 s. */
export const UNANSWERED_ATTEMPTS = 3;
/** Backoff while the CDN propagates: 0.5 s, 1 s, 2 s … up to 8 s between attempts of one file. */
export const RETRY_BASE_MS = 500;
export const RETRY_MAX_MS = 8_000;
/** Pause before retrying a request that got no answer (a refused connection is retried twice, quickly). */
export const UNANSWERED_RETRY_MS = 250;
/** Statuses a CDN answers while it propagates (or an S3 origin answers for a missing key: 403). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([403, 404, 408, 425, 429, 500, 502, 503, 504]);

export const PAGE_PATH = 'index.html';
export const VERSION_PATH = 'version.json';

/** The check's options from the config's `healthCheck` block. */
export function healthOptionsFrom(settings: HealthCheckSettings): Required<HealthOptions> {
  return {
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutSeconds * 1000,
    retryBudgetMs: settings.retryBudgetSeconds * 1000,
  };
}

const InputSchema = z.object({
  url: z
    .string()
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URL'),
  commit: z.string().min(1),
  files: z.array(
    z.looseObject({ path: z.string().min(1), contentType: z.string().min(1), sha256: z.string().optional() }),
  ),
});

const OptionsSchema = z.object({
  concurrency: z.number().int().min(1).max(256).default(DEFAULT_HEALTH_CONCURRENCY),
  timeoutMs: z.number().positive().max(600_000).default(DEFAULT_HEALTH_TIMEOUT_MS),
  retryBudgetMs: z.number().min(0).max(3_600_000).default(DEFAULT_RETRY_BUDGET_MS),
});

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new FrontendOpsError('BAD_INPUT', `checkSiteHealth ${what}: ${formatZodIssues(parsed.error)}`, {
      hint: 'A caller passed a malformed health check request; this is a bug in the caller.',
    });
  }
  return parsed.data;
}

interface Answer {
  status: number;
  contentType: string | null;
  body: Buffer;
  /** After redirects. */
  url: string;
}

type Outcome =
  | { answered: true; answer: Answer }
  | { answered: false; failure: ConnectionFailure; error: unknown };

/** What one answer means: fine (undefined), or a failure that a retry may or may not fix. */
type Verdict = { failure: HealthFailure; retryable: boolean } | undefined;

interface Probe {
  url: string;
  path: string;
  evaluate: (answer: Answer) => Verdict;
}

/** Our own per-request timeout fired: the edge took the request and did not answer. */
const NO_ANSWER: ConnectionFailure = {
  code: 'ETIMEDOUT',
  reason: 'did not answer in time',
  kind: 'no-response',
};
const DROPPED: ConnectionFailure = { code: 'ECONNRESET', reason: 'dropped the connection', kind: 'reset' };

/** Thrown inside a run once another probe found the edge unreachable: the other probes stop. */
class Stopped extends Error {}

function seconds(ms: number): string {
  return `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
}

function statusVerdict(path: string, status: number, code?: HealthFailure['code']): Verdict {
  if (status === 200) return undefined;
  return {
    failure: { path, reason: `answered HTTP ${status}`, status, ...(code === undefined ? {} : { code }) },
    retryable: RETRYABLE_STATUSES.has(status),
  };
}

function typeVerdict(path: string, answer: Answer, expected: string | undefined): Verdict {
  if (expected === undefined || sameMediaType(answer.contentType, expected)) return undefined;
  const served = answer.contentType ?? 'no Content-Type';
  return {
    failure: {
      path,
      reason: `served as ${served}, the build declares ${mediaTypeOf(expected) ?? expected}`,
      status: answer.status,
      ...(answer.contentType === null ? {} : { contentType: answer.contentType }),
      expected,
    },
    retryable: true,
  };
}

/** The expected type of a file the build does not list (outside the site root): by its extension, if known. */
function typeByExtension(path: string): string | undefined {
  return mime.getType(path) ?? undefined;
}

interface RunSettings {
  root: URL;
  timeoutMs: number;
  retryBudgetMs: number;
}

/**
 * One check's shared state: the clock it started on, whether the edge has answered anything yet, and
 * the stop signal that ends every other probe once one finds the edge unreachable.
 */
function createRun(deps: HealthDeps, settings: RunSettings) {
  const { root, timeoutMs, retryBudgetMs } = settings;
  const started = deps.now().getTime();
  const stop = new AbortController();
  const timeout = deps.timeout ?? ((ms: number) => AbortSignal.timeout(ms));
  let edgeAnswered = false;
  let unreachable: FrontendOpsError | undefined;
  let checked = 0;

  const get = async (target: string): Promise<Outcome> => {
    const expiry = timeout(timeoutMs);
    try {
      const response = await deps.fetch(target, {
        signal: AbortSignal.any([expiry, stop.signal]),
        headers: { accept: '*/*' },
        redirect: 'follow',
      });
      const body = Buffer.from(await response.arrayBuffer());
      return {
        answered: true,
        answer: {
          status: response.status,
          contentType: response.headers.get('content-type'),
          body,
          url: response.url === '' ? target : response.url,
        },
      };
    } catch (error) {
      if (stop.signal.aborted) throw new Stopped();
      if (expiry.aborted) return { answered: false, failure: NO_ANSWER, error };
      // fetch rejects only when there is no usable answer; without a known cause, call it a reset.
      return { answered: false, failure: connectionFailure(error) ?? DROPPED, error };
    }
  };

  const probe = async (target: Probe): Promise<HealthFailure | undefined> => {
    checked += 1;
    let connectFailures = 0;
    let silentFailures = 0;
    let retries = 0;
    let slept = 0;
    const pause = async (ms: number) => {
      await deps.sleep(ms, stop.signal);
      slept += ms;
      if (stop.signal.aborted) throw new Stopped();
    };
    for (let attempt = 1; ; attempt += 1) {
      if (stop.signal.aborted) throw new Stopped();
      const outcome = await get(target.url);
      if (!outcome.answered) {
        const connect = isConnectFailure(outcome.failure.kind);
        const count = connect ? ++connectFailures : ++silentFailures;
        if (count < UNANSWERED_ATTEMPTS) {
          await pause(UNANSWERED_RETRY_MS * count);
          continue;
        }
        // No connection at all, or silence before the edge ever answered: the edge is down.
        if (connect || !edgeAnswered) {
          unreachable ??= unreachableError(
            {
              service: SERVICES.edge,
              endpoint: root.href,
              operation: `GET /${target.path}`,
              attempts: attempt,
              elapsedMs: deps.now().getTime() - started,
              ...(outcome.failure.kind === 'no-response' ? { timeoutMs } : {}),
            },
            outcome.failure,
            outcome.error,
          );
          stop.abort();
          throw new Stopped();
        }
        // The edge answers other requests but not this one: that file is broken.
        return {
          path: target.path,
          reason:
            outcome.failure.kind === 'no-response'
              ? `no answer within ${seconds(timeoutMs)} (${attempt} attempts)`
              : `the connection closed without an answer (${attempt} attempts)`,
          code: 'HEALTH_CHECK_FAILED',
        };
      }
      edgeAnswered = true;
      const verdict = target.evaluate(outcome.answer);
      if (verdict === undefined) return undefined;
      const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** retries);
      const elapsed = deps.now().getTime() - started;
      if (verdict.retryable && elapsed + delay <= retryBudgetMs && slept + delay <= retryBudgetMs) {
        retries += 1;
        await pause(delay);
        continue;
      }
      return { code: 'HEALTH_CHECK_FAILED', ...verdict.failure };
    }
  };

  return {
    /** Runs the probes (at most `concurrency` at once); their failures in the probes' order. */
    async settle(probes: ReadonlyArray<Probe>, concurrency: number): Promise<HealthFailure[]> {
      const bounded = pLimit(concurrency);
      const results = await Promise.allSettled(probes.map((p) => bounded(() => probe(p))));
      const failures: HealthFailure[] = [];
      for (const result of results) {
        if (result.status === 'fulfilled') {
          if (result.value !== undefined) failures.push(result.value);
        } else if (!(result.reason instanceof Stopped)) {
          stop.abort();
          throw result.reason;
        }
      }
      if (unreachable !== undefined) throw unreachable;
      return failures;
    },
    checked: () => checked,
    durationMs: () => deps.now().getTime() - started,
    end: () => stop.abort(),
  };
}

function versionProbeFor(root: URL, commit: string, contentType: string | undefined): Probe {
  return {
    url: siteUrlOf(VERSION_PATH, root),
    path: VERSION_PATH,
    evaluate: (answer) => {
      const verdict =
        statusVerdict(VERSION_PATH, answer.status, 'VERIFY_FAILED') ??
        typeVerdict(VERSION_PATH, answer, contentType);
      if (verdict !== undefined) return verdict;
      const named = versionCommitOf(answer.body);
      if (named === commit) return undefined;
      return {
        failure: {
          path: VERSION_PATH,
          reason:
            named === undefined
              ? 'is not a version document ({ "commit": … })'
              : `names commit ${named.slice(0, 40)}, not ${commit}`,
          status: answer.status,
          code: 'VERIFY_FAILED',
        },
        // The previous release's version.json is what a stale edge serves.
        retryable: true,
      };
    },
  };
}

/**
 * Checks the site at `input.url`. See the module comment for what is checked and when it throws.
 * Exported as the contract the deploy pipeline integrates.
 */
export async function checkSiteHealth(
  deps: HealthDeps,
  input: HealthInput,
  options: HealthOptions = {},
): Promise<HealthReport> {
  const { url, commit, files } = parseOrThrow(InputSchema, input, 'input');
  const { concurrency, timeoutMs, retryBudgetMs } = parseOrThrow(OptionsSchema, options, 'options');
  const root = siteRootUrl(url);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const run = createRun(deps, { root, timeoutMs, retryBudgetMs });

  const pageFile = byPath.get(PAGE_PATH);
  const pageExpected = pageFile?.contentType ?? typeByExtension(PAGE_PATH);
  let pageAnswer: Answer | undefined;
  const pageProbe: Probe = {
    url: root.href,
    path: PAGE_PATH,
    evaluate: (answer) => {
      const verdict = statusVerdict(PAGE_PATH, answer.status) ?? typeVerdict(PAGE_PATH, answer, pageExpected);
      if (verdict !== undefined) return verdict;
      const expectedSha = pageFile?.sha256;
      if (expectedSha !== undefined) {
        const served = createHash('sha256').update(answer.body).digest('hex');
        if (served !== expectedSha) {
          return {
            failure: {
              path: PAGE_PATH,
              reason: `serves another ${PAGE_PATH} than this build's (sha256 ${served.slice(0, 12)}…, expected ${expectedSha.slice(0, 12)}…)`,
              status: answer.status,
            },
            retryable: true,
          };
        }
      }
      pageAnswer = answer;
      return undefined;
    },
  };
  // A build without version.json (a custom required-files list) has no commit to check.
  const versionFile = byPath.get(VERSION_PATH);
  const versionProbe =
    versionFile === undefined ? undefined : versionProbeFor(root, commit, versionFile.contentType);

  const assetProbe = (reference: string): Probe => {
    const sitePath = sitePathOf(reference, root);
    const path = sitePath ?? new URL(reference).pathname;
    const expected =
      (sitePath === undefined ? undefined : byPath.get(sitePath)?.contentType) ?? typeByExtension(path);
    return {
      url: reference,
      path,
      evaluate: (answer) => statusVerdict(path, answer.status) ?? typeVerdict(path, answer, expected),
    };
  };

  const failures: HealthFailure[] = [];
  try {
    failures.push(
      ...(await run.settle(
        versionProbe === undefined ? [pageProbe] : [pageProbe, versionProbe],
        concurrency,
      )),
    );
    const page: Answer | undefined = pageAnswer;
    if (page !== undefined) {
      const { references } = extractPageReferences(page.body.toString('utf8'), page.url);
      // The page and version.json were checked above; a page that links itself is not checked twice.
      const done = new Set([root.href, siteUrlOf(PAGE_PATH, root), versionProbe?.url]);
      const assets = references.filter((r) => !done.has(r.url)).map((r) => assetProbe(r.url));
      failures.push(...(await run.settle(assets, concurrency)));
    }
  } finally {
    run.end();
  }
  return { ok: failures.length === 0, checked: run.checked(), failures, durationMs: run.durationMs() };
}

/**
 * The check bound to its clients and options: what the deploy engine calls after the invalidation
 * (its `checkHealth`), and what it rolls back on.
 */
export function siteHealthCheck(
  deps: HealthDeps,
  options: HealthOptions = {},
): (input: HealthInput) => Promise<HealthReport> {
  return (input) => checkSiteHealth(deps, input, options);
}

/**
 * Only the `version.json` part of the check: undefined when the site names `commit`, else the failure.
 * Throws ENDPOINT_UNREACHABLE like `checkSiteHealth`.
 */
export async function checkSiteVersion(
  deps: HealthDeps,
  input: { url: string; commit: string; contentType?: string },
  options: Pick<HealthOptions, 'timeoutMs' | 'retryBudgetMs'> = {},
): Promise<HealthFailure | undefined> {
  const { url, commit } = parseOrThrow(InputSchema, { ...input, files: [] }, 'input');
  const { timeoutMs, retryBudgetMs } = parseOrThrow(OptionsSchema, options, 'options');
  const root = siteRootUrl(url);
  const run = createRun(deps, { root, timeoutMs, retryBudgetMs });
  try {
    const [failure] = await run.settle([versionProbeFor(root, commit, input.contentType)], 1);
    return failure;
  } finally {
    run.end();
  }
}

const VersionDocumentSchema = z.looseObject({ commit: z.string() });

function versionCommitOf(body: Buffer): string | undefined {
  try {
    const parsed = VersionDocumentSchema.safeParse(JSON.parse(body.toString('utf8')));
    return parsed.success ? parsed.data.commit : undefined;
  } catch {
    return undefined;
  }
}

/** One line for messages: the first `max` failures, then how many more. */
export function describeHealthFailures(failures: ReadonlyArray<HealthFailure>, max = 3): string {
  const shown = failures.slice(0, max).map((f) => `${f.path} ${f.reason}`);
  const more = failures.length - shown.length;
  return more > 0 ? `${shown.join('; ')} (and ${more} more)` : shown.join('; ');
}

/**
 * The error for a failed report: VERIFY_FAILED when only `version.json` failed to name the commit
 * (the edge serves another release), HEALTH_CHECK_FAILED otherwise. `data.failures` lists them all.
 */
export function healthCheckError(report: HealthReport, url: string): FrontendOpsError {
  const versionOnly = report.failures.length > 0 && report.failures.every((f) => f.code === 'VERIFY_FAILED');
  const root = siteRootUrl(url).href;
  return new FrontendOpsError(
    versionOnly ? 'VERIFY_FAILED' : 'HEALTH_CHECK_FAILED',
    `${root} failed its health check: ${describeHealthFailures(report.failures)}`,
    {
      hint: versionOnly
        ? 'The CDN still serves another release: check the distribution origin and its cache behaviours.'
        : 'Open the site to see the broken files; `frontendops rollback --to TAG` restores an earlier release.',
      data: { url: root, checked: report.checked, failures: report.failures },
    },
  );
}
