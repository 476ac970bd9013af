import * as z from 'zod/mini';
import { type FetchLike, fetchJson, type Settled } from './remote.js';

/** `version.json`, written by the build: which commit this site was built from. */
export const VersionSchema = z.object({
  commit: z.string().check(z.regex(/^[0-9a-f]{40}$/, 'expected a 40-hex commit sha')),
  builtAt: z.iso.datetime({ offset: true }),
});

export type Version = z.infer<typeof VersionSchema>;

export const VERSION_URL = '/version.json';

export function loadVersion(fetchFn: FetchLike, signal?: AbortSignal): Promise<Settled<Version>> {
  return fetchJson(fetchFn, VERSION_URL, VersionSchema, signal);
}
