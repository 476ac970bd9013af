import { FrontendOpsError } from '../errors.js';
import { checkSiteVersion, VERSION_PATH } from './health.js';
import { realSleep } from './requests.js';

/**
 * After the invalidation completed, the site must serve the new `version.json` (written by the
 * dashboard build: `{ commit, builtAt }`). A site that answers with another commit is VERIFY_FAILED; a
 * site that cannot be reached (refused, or silent through every attempt) is ENDPOINT_UNREACHABLE naming
 * it. Verification is skipped only when there is nothing to check: no `url` output, or no
 * `version.json` in the build. The full page check (every asset) is `checkSiteHealth` in health.ts.
 */
export const VERSION_FILE = VERSION_PATH;
export const VERIFY_TIMEOUT_MS = 10_000;

export interface VerifyResult {
  status: 'passed' | 'skipped';
  note?: string;
}

export interface VerifyDeps {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => Date;
  /** Per-request timeout (default `VERIFY_TIMEOUT_MS`). */
  timeoutMs?: number;
}

export async function verifyDeployment(
  fetchImpl: typeof fetch,
  url: string | undefined,
  commit: string,
  hasVersionFile: boolean,
  deps: VerifyDeps = {},
): Promise<VerifyResult> {
  if (!hasVersionFile) return { status: 'skipped', note: `the build has no ${VERSION_FILE}` };
  if (url === undefined) return { status: 'skipped', note: 'the stack has no url output' };
  const failure = await checkSiteVersion(
    { fetch: fetchImpl, sleep: deps.sleep ?? realSleep, now: deps.now ?? (() => new Date()) },
    { url, commit },
    // The invalidation has completed: what the edge serves now is what it serves.
    { timeoutMs: deps.timeoutMs ?? VERIFY_TIMEOUT_MS, retryBudgetMs: 0 },
  );
  if (failure === undefined) return { status: 'passed' };
  const target = `${url.replace(/\/+$/, '')}/${VERSION_FILE}`;
  throw new FrontendOpsError(
    'VERIFY_FAILED',
    `${target} ${failure.reason} after the invalidation completed`,
    {
      hint: 'The CDN still serves another release: check the distribution origin and its cache behaviours.',
      data: { url: target, ...(failure.status === undefined ? {} : { status: failure.status }) },
    },
  );
}
