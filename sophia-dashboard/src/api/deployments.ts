import * as z from 'zod/mini';
import { type FetchLike, fetchJson, type Settled } from './remote.js';

const count = z.optional(z.int().check(z.nonnegative()));

/**
 * One entry of `deployments.json`: a release record (design §4) — extra fields such as `files` are
 * allowed and ignored, so the publisher can write the records as they are.
 */
export const DeploymentSchema = z.looseObject({
  commit: z.string().check(z.regex(/^[0-9a-f]{7,40}$/, 'expected a commit sha')),
  finishedAt: z.iso.datetime({ offset: true }),
  startedAt: z.optional(z.iso.datetime({ offset: true })),
  releaseId: z.optional(z.string()),
  tag: z.optional(z.nullable(z.string())),
  trigger: z.optional(z.string()),
  requestedBy: z.optional(z.string()),
  copied: count,
  unchanged: count,
  deleted: count,
});

export const DeploymentsFileSchema = z.looseObject({
  schema: z.literal(1),
  stack: z.optional(z.string()),
  deployments: z.array(DeploymentSchema),
});

export type Deployment = z.infer<typeof DeploymentSchema>;

export const DEPLOYMENTS_URL = '/deployments.json';

/** Newest first, by finish time (the file's own order is not trusted). Pure. */
export function newestFirst(deployments: readonly Deployment[]): Deployment[] {
  return [...deployments].sort((a, b) => Date.parse(b.finishedAt) - Date.parse(a.finishedAt));
}

export async function loadDeployments(
  fetchFn: FetchLike,
  signal?: AbortSignal,
): Promise<Settled<Deployment[]>> {
  const result = await fetchJson(fetchFn, DEPLOYMENTS_URL, DeploymentsFileSchema, signal);
  return result.state === 'ok' ? { state: 'ok', value: newestFirst(result.value.deployments) } : result;
}
