import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type RequestRunner, s3Failure } from './requests.js';
import {
  type DeploymentEntry,
  type DeploymentsDocument,
  DeploymentsDocumentSchema,
  MAX_DEPLOYMENT_ENTRIES,
  type ReleaseEntry,
} from './schemas.js';
import type { S3Location } from './sync-command.js';

/**
 * `deployments.json` at the hosting root: the last releases for the dashboard's Deployments panel.
 * Built only from release records (history entries and the journal), never from free text; the
 * engine owns the key (never planned, copied over or pruned) and serves it `no-cache`.
 */
export const DEPLOYMENTS_FILE = 'deployments.json';
export const DEPLOYMENTS_CACHE_CONTROL = 'no-cache';
export const DEPLOYMENTS_CONTENT_TYPE = 'application/json';

export function deploymentEntry(entry: ReleaseEntry): DeploymentEntry {
  const started = Date.parse(entry.startedAt);
  const finished = entry.finishedAt === null ? Number.NaN : Date.parse(entry.finishedAt);
  return {
    releaseId: entry.releaseId,
    tag: entry.tag ?? null,
    commit: entry.commit,
    subject: entry.subject,
    startedAt: entry.startedAt,
    finishedAt: entry.finishedAt,
    requestedBy: entry.requestedBy,
    trigger: entry.trigger,
    kind: entry.kind,
    status: entry.status,
    filesChanged: entry.copied + entry.deleted,
    durationMs: Number.isNaN(finished) ? null : Math.max(0, finished - started),
  };
}

/**
 * The document for `entries` (any order; a release listed twice keeps the first occurrence, so pass the
 * freshest versions first), newest first, at most `MAX_DEPLOYMENT_ENTRIES`.
 */
export function buildDeploymentsDocument(
  stack: string,
  entries: readonly ReleaseEntry[],
  live: string | null,
  generatedAt: Date,
): DeploymentsDocument {
  const seen = new Set<string>();
  const unique: ReleaseEntry[] = [];
  for (const entry of entries) {
    if (entry.stack !== stack || seen.has(entry.releaseId)) continue;
    seen.add(entry.releaseId);
    unique.push(entry);
  }
  unique.sort((a, b) =>
    a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.releaseId < b.releaseId ? 1 : -1,
  );
  return DeploymentsDocumentSchema.parse({
    schema: 1,
    stack,
    generatedAt: generatedAt.toISOString(),
    live,
    releases: unique.slice(0, MAX_DEPLOYMENT_ENTRIES).map(deploymentEntry),
  });
}

/** `publishDeployments`: PUT deployments.json at the hosting root (no-cache, application/json). */
export async function publishDeployments(
  s3: S3Client,
  runner: RequestRunner,
  destination: S3Location,
  document: DeploymentsDocument,
): Promise<void> {
  const key = `${destination.prefix}${DEPLOYMENTS_FILE}`;
  await runner
    .run('PutObject', (abortSignal) =>
      s3.send(
        new PutObjectCommand({
          Bucket: destination.bucket,
          Key: key,
          Body: `${JSON.stringify(document, null, 2)}\n`,
          ContentType: DEPLOYMENTS_CONTENT_TYPE,
          CacheControl: DEPLOYMENTS_CACHE_CONTROL,
        }),
        { abortSignal },
      ),
    )
    .catch((error: unknown) => {
      throw s3Failure(error, `publishing s3://${destination.bucket}/${key}`);
    });
}
