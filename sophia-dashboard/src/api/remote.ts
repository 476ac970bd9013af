import type * as z from 'zod/mini';

/** What the dashboard knows about a JSON file it fetched from its own origin. */
export type Remote<T> =
  | { state: 'loading' }
  | { state: 'ok'; value: T }
  /** The file is not published (404/403, or the CDN answered with the SPA's index.html instead). */
  | { state: 'absent' }
  | { state: 'error'; message: string };

export type Settled<T> = Exclude<Remote<T>, { state: 'loading' }>;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The first issue, named by its field path, e.g. `deployments.0.commit: Invalid input`. */
function describeIssue(error: z.core.$ZodError): string {
  const [issue] = error.issues;
  if (!issue) return 'unexpected content';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Fetches a JSON document from the site and validates it. Never throws: the panels that show the
 * result render an empty state or an error message instead of breaking the page.
 */
export async function fetchJson<T>(
  fetchFn: FetchLike,
  url: string,
  schema: z.ZodMiniType<T>,
  signal?: AbortSignal,
): Promise<Settled<T>> {
  let response: Response;
  try {
    // no-store: after a deploy the header must show the new version, not a copy from the browser cache.
    response = await fetchFn(url, { cache: 'no-store', headers: { Accept: 'application/json' }, signal });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    return { state: 'error', message: `could not reach ${url}` };
  }
  // S3 answers 403 for a missing key when listing is not allowed; CloudFront passes that on.
  if (response.status === 404 || response.status === 403) return { state: 'absent' };
  if (!response.ok) return { state: 'error', message: `${url} answered HTTP ${response.status}` };
  // A single-page-app fallback serves index.html for unknown paths: that also means "not published".
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('text/html')) return { state: 'absent' };
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    return { state: 'error', message: `${url} is not valid JSON` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return { state: 'error', message: `${url} has an unexpected shape (${describeIssue(parsed.error)})` };
  return { state: 'ok', value: parsed.data };
}
