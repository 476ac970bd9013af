import { createHash } from 'node:crypto';
import { defaultHeadersFor } from '../../agent/src/deploy/cache-rules.js';
import type { DeployPlan, ListedObject } from '../../agent/src/deploy/plan.js';
import type { BuildManifest, ReleaseRecord, ReleaseSteps } from '../../agent/src/deploy/schemas.js';

/** Small builders for engine unit tests: manifests, records and listings as plain data. */

/** The steps of a release that completed at `at`. */
export function allStepsDone(at: string): ReleaseSteps {
  const done = { done: true, at };
  return { copied: done, invalidated: done, verified: done, tagged: done, pruned: done, published: done };
}
export function sha(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** S3's ETag of a single-part object: the quoted MD5 of its bytes. */
export function etagOf(content: string | Buffer): string {
  return `"${createHash('md5').update(content).digest('hex')}"`;
}

export function commitSha(n: number): string {
  return createHash('sha1').update(`commit-${n}`).digest('hex');
}

/**
 * A manifest from `{ path: content }`, headers per the default rules, with the fingerprints publish
 * records (schema 2): each file's ETag as S3 gives it for a single-part upload of those bytes.
 */
export function manifestOf(commit: string, files: Record<string, string>): BuildManifest {
  return {
    schema: 2,
    commit,
    builtAt: '2026-11-23T09:00:00.000Z',
    files: Object.entries(files).map(([path, content]) => ({
      path,
      size: Buffer.byteLength(content),
      sha256: sha(content),
      ...defaultHeadersFor(path),
      etag: etagOf(content),
    })),
  };
}

export interface SiteState {
  /** What is in the hosting bucket: path → content. */
  bucket: Map<string, string>;
  record: ReleaseRecord | undefined;
}

export function listingOf(bucket: ReadonlyMap<string, string>): ListedObject[] {
  return [...bucket.entries()].map(([path, content]) => ({
    path,
    size: Buffer.byteLength(content),
    etag: etagOf(content),
  }));
}

/**
 * What the executor would leave behind for `plan`: copies applied, deletions done, the new record.
 * Lets planner tests walk a sequence of deploys without S3.
 */
export function applyPlan(
  state: SiteState,
  plan: DeployPlan,
  contents: Record<string, string>,
  n: number,
): SiteState {
  const bucket = new Map(state.bucket);
  for (const copy of plan.copy) bucket.set(copy.path, contents[copy.path] ?? '');
  for (const path of plan.deleteLater) bucket.delete(path);
  const files = [
    ...plan.unchanged,
    ...plan.copy.map((c) => ({
      path: c.path,
      sha256: c.sha256,
      etag: etagOf(contents[c.path] ?? ''),
      size: c.size,
      contentType: c.contentType,
      cacheControl: c.cacheControl,
    })),
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  const record: ReleaseRecord = {
    schema: 1,
    releaseId: `r${n}`,
    stack: 'dashboard-hosting-prod',
    commit: plan.commit,
    kind: 'deploy',
    trigger: 'cli',
    requestedBy: 'test',
    subject: null,
    status: 'complete',
    steps: allStepsDone('2026-11-23T10:00:01.000Z'),
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:00:01.000Z',
    destination: { bucket: 'hosting-1', prefix: '' },
    files,
    retained: plan.retained,
    invalidate: plan.invalidate,
    copied: plan.copy.length,
    unchanged: plan.unchanged.length,
    deleted: plan.deleteLater.length,
  };
  return { bucket, record };
}
