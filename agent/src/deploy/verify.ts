import { z } from 'zod';
import { FrontendOpsError } from '../errors.js';

/**
 * Step 7 of design §5: after the invalidation completed, the site must serve the new `version.json`
 * (written by the dashboard build: `{ commit, builtAt }`). A site that answers with another commit is a
 * failed deploy; a site that cannot be reached at all (no URL, DNS, a private network) is noted, not
 * failed, because the copy itself is verified by S3.
 */
export const VERSION_FILE = 'version.json';
export const VERIFY_TIMEOUT_MS = 10_000;

const VersionSchema = z.object({ commit: z.string() }).passthrough();

export interface VerifyResult {
  status: 'passed' | 'skipped';
  note?: string;
}

export async function verifyDeployment(
  fetchImpl: typeof fetch,
  url: string | undefined,
  commit: string,
  hasVersionFile: boolean,
): Promise<VerifyResult> {
  if (!hasVersionFile) return { status: 'skipped', note: `the build has no ${VERSION_FILE}` };
  if (url === undefined) return { status: 'skipped', note: 'the stack has no url output' };
  const target = `${url.replace(/\/+$/, '')}/${VERSION_FILE}`;
  let response: Response;
  try {
    response = await fetchImpl(target, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { status: 'skipped', note: `${target} is unreachable from here (${reason})` };
  }
  const text = await response.text();
  const failed = (detail: string) =>
    new FrontendOpsError('VERIFY_FAILED', `${target} ${detail} after the invalidation completed`, {
      hint: 'The CDN still serves another release: check the distribution origin and its cache behaviours.',
      data: { url: target, status: response.status },
    });
  if (!response.ok) throw failed(`answered HTTP ${response.status}`);
  let parsed: z.infer<typeof VersionSchema>;
  try {
    parsed = VersionSchema.parse(JSON.parse(text));
  } catch {
    throw failed('is not a version document');
  }
  if (parsed.commit !== commit) throw failed(`names commit ${parsed.commit.slice(0, 40)}, not ${commit}`);
  return { status: 'passed' };
}
