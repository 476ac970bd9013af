import * as z from 'zod/mini';
import { type FetchLike, fetchJson, type Settled } from './remote.js';

const instant = z.iso.datetime({ offset: true });
const count = z.int().check(z.nonnegative());

/**
 * One release in `deployments.json`, as FrontendOps writes it from its release records after every
 * deploy and rollback. Fields a newer publisher adds are allowed and ignored.
 */
export const ReleaseSchema = z.looseObject({
  releaseId: z.string().check(z.minLength(1)),
  /** The deploy tag (`dashboard-deploy-YYYYMMDD-N`); null until the release is tagged. */
  tag: z.nullable(z.string()),
  commit: z.string().check(z.regex(/^[0-9a-f]{7,40}$/, 'expected a commit sha')),
  /** The commit's subject line, as the agent redacted and bounded it. */
  subject: z.nullable(z.string()),
  startedAt: instant,
  /** Null while the release is still pending. */
  finishedAt: z.nullable(instant),
  requestedBy: z.string(),
  /** Where the request came from: cli, chat, schedule, mcp, workflow. */
  trigger: z.string(),
  kind: z.enum(['deploy', 'rollback', 'auto-rollback']),
  status: z.enum(['pending', 'complete', 'rolled_back']),
  filesChanged: z.nullable(count),
  durationMs: z.nullable(count),
});

export const DeploymentsDocumentSchema = z.looseObject({
  schema: z.literal(1),
  stack: z.string(),
  generatedAt: instant,
  /** The releaseId that is live now, or null before the first complete deploy. */
  live: z.nullable(z.string()),
  releases: z.array(ReleaseSchema),
});

export type Release = z.infer<typeof ReleaseSchema>;
export type DeploymentsDocument = z.infer<typeof DeploymentsDocumentSchema>;

/** What the panel shows: the releases newest first, and which one is live. */
export interface DeploymentHistoryData {
  stack: string;
  live: string | null;
  releases: Release[];
}

export const DEPLOYMENTS_URL = '/deployments.json';

/**
 * Newest first by start time (a rollback starts after the deploy it undoes), keeping the file's order
 * for releases that started at the same instant. Pure.
 */
export function newestFirst(releases: readonly Release[]): Release[] {
  return releases
    .map((release, index) => ({ release, index, at: Date.parse(release.startedAt) }))
    .sort((a, b) => b.at - a.at || a.index - b.index)
    .map(({ release }) => release);
}

/**
 * Fetches `/deployments.json` (no-store: a deploy republishes it) and validates it. A missing file —
 * no deploy has published one yet — is `absent`, shown as an empty history without any error.
 */
export async function loadDeployments(
  fetchFn: FetchLike,
  signal?: AbortSignal,
): Promise<Settled<DeploymentHistoryData>> {
  const result = await fetchJson(fetchFn, DEPLOYMENTS_URL, DeploymentsDocumentSchema, signal);
  if (result.state !== 'ok') return result;
  const { stack, live, releases } = result.value;
  return { state: 'ok', value: { stack, live, releases: newestFirst(releases) } };
}
