import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import pLimit from 'p-limit';
import { s3ClientEndpoint } from '../aws/endpoint.js';
import type { CacheRule } from '../config/schema.js';
import { FrontendOpsError } from '../errors.js';
import { HOSTING_STACK } from '../stack/outputs.js';
import { formatZodIssues } from '../validation.js';
import { assertSyncBoundTo, type StackBucketOutputs } from './bound-target.js';
import { compileCacheRules } from './cache-rules.js';
import { SHA256_METADATA_KEY } from './copy.js';
import { listObjectsUnder } from './listing.js';
import {
  buildCorruptError,
  checkManifestRules,
  compareBuildListing,
  DEFAULT_REQUIRED_FILES,
} from './preflight.js';
import {
  acquirePublishClaim,
  type ClaimHandle,
  DEFAULT_CLAIM_TTL_SECONDS,
  type PublishClaim,
  publishClaimKeyFor,
} from './publish-claim.js';
import {
  createRequestRunner,
  isNotFound,
  isPreconditionFailed,
  type RequestRunner,
  realSleep,
  s3Failure,
} from './requests.js';
import { getJson, putJson } from './s3-json.js';
import {
  BUILD_MANIFEST_SCHEMA,
  type BuildManifest,
  BuildManifestSchema,
  type ManifestFile,
  SitePathSchema,
} from './schemas.js';
import { buildManifestKeyFor, buildPrefixFor, isFullCommitSha, type SyncCommand } from './sync-command.js';

/**
 * `frontendops publish DIR --commit SHA`: uploads a built site to `builds/<commit>/site/` with its
 * headers, then writes `build.json` last (with `If-None-Match: *`), so a build is either complete or
 * invisible to the engine. Builds are immutable: republishing identical content is a no-op, different
 * content for the same commit is BUILD_EXISTS.
 *
 * A published build can never disagree with its `build.json`:
 * - the folder is checked first (no reserved path, the required entry files present), before any request;
 * - only the holder of the commit's publish claim uploads (publish-claim.ts): a second publisher of the
 *   same commit waits, then finds the first one's build.json and compares — it never overwrites the
 *   winner's files;
 * - every upload carries its sha256 (`x-amz-checksum-sha256`: S3 rejects bytes that do not match), and
 *   the ETag S3 returns is recorded in `build.json` (schema 2) as the file's fingerprint;
 * - before `build.json` is written, the claim is renewed (a fence: a publisher that lost it stops) and
 *   one listing of the build prefix must show every file with its size and recorded ETag; after it is
 *   written, one more listing confirms nothing changed meanwhile.
 * A schema 1 build (no fingerprints) of the same content is upgraded in place: its files are uploaded
 * again and `build.json` is replaced, conditional on the old one's ETag.
 */

/** Above this, files go up as a multipart upload (@aws-sdk/lib-storage), in 8 MiB parts. */
export const MULTIPART_THRESHOLD_BYTES = 64 * 1024 ** 2;

export interface LocalFile {
  path: string;
  absolutePath: string;
  size: number;
}

export interface PublishDeps {
  s3: S3Client;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (event: { done: number; total: number; bytes: number; totalBytes: number }) => void;
  /** Told when another publish of the commit holds its claim and this one waits for it. */
  onWait?: (holder: PublishClaim) => void;
  /** Written into the claim so a waiting publisher can say whom it waits for. */
  identity?: { host: string; pid: number };
  newClaimId?: () => string;
  /** Local elapsed time (claim renewal cadence and wait budget only; never claim expiry). */
  elapsedMs?: () => number;
  /** One S3 attempt's timeout (the config's `network.requestTimeoutSeconds`); uploads allow for size. */
  attemptTimeoutMs?: number;
  /** How long S3 may go unanswered across attempts (`network.deadlineSeconds`). */
  requestDeadlineMs?: number;
}

export interface PublishRequest {
  dir: string;
  commit: string;
  sync: SyncCommand;
  /** The stack's bucket outputs: publish only writes into the stack's own artifacts bucket. */
  stackBuckets: StackBucketOutputs;
  cacheRules: readonly CacheRule[];
  concurrency: number;
  /** Entry files the build must contain (default `index.html`, `version.json`). */
  requiredFiles?: readonly string[];
  /** How long a silent publish keeps its claim, by S3's clock (default 300 s); renewed every third. */
  claimTtlSeconds?: number;
  /** How long to wait for another live publisher of the commit (default 10 × the TTL). */
  maxWaitSeconds?: number;
  /** How often a waiting publisher looks again (default 1 s). */
  pollMs?: number;
  /** Named in the claim: who publishes (default `publish`). */
  requestedBy?: string;
  /** The stack the outputs came from, for messages. */
  stack?: string;
}

export interface PublishReport {
  status: 'published' | 'unchanged' | 'upgraded';
  commit: string;
  files: number;
  bytes: number;
  uploaded: number;
  manifestKey: string;
  requests: Record<string, number>;
  durationMs: number;
}

function badInput(message: string, hint: string): FrontendOpsError {
  return new FrontendOpsError('BAD_INPUT', message, { hint });
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Every regular file under `dir`, with site paths using `/`. Symlinks are followed only while they stay
 * inside `dir` (a link to /etc/passwd must not be published); a link cycle is visited once.
 */
export async function collectSiteFiles(dir: string): Promise<LocalFile[]> {
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw badInput(
      `${dir} is not a directory`,
      'Pass the folder the build wrote (e.g. sophia-dashboard/dist).',
    );
  }
  const files: LocalFile[] = [];
  const visited = new Set<string>();
  const walk = async (realDir: string, sitePrefix: string): Promise<void> => {
    if (visited.has(realDir)) return;
    visited.add(realDir);
    const entries = await readdir(realDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const full = join(realDir, entry.name);
      const sitePath = `${sitePrefix}${entry.name}`;
      let target = full;
      if (entry.isSymbolicLink()) {
        try {
          target = await realpath(full);
        } catch {
          throw badInput(`${sitePath} is a broken symlink`, 'Fix or remove the link before publishing.');
        }
        if (!isInside(root, target)) {
          throw badInput(
            `${sitePath} is a symlink to ${target}, outside ${dir}`,
            'Publishing follows symlinks only inside the build folder; copy the file in instead.',
          );
        }
      }
      const info = await lstat(target);
      if (info.isDirectory()) {
        await walk(target, `${sitePath}/`);
      } else if (info.isFile()) {
        const parsed = SitePathSchema.safeParse(sitePath);
        if (!parsed.success) {
          throw badInput(
            `${sitePath}: ${formatZodIssues(parsed.error)}`,
            'Rename the file; it cannot be an S3 key.',
          );
        }
        files.push({ path: sitePath, absolutePath: target, size: info.size });
      } else {
        throw badInput(
          `${sitePath} is not a regular file`,
          'Remove sockets, pipes and devices from the build folder.',
        );
      }
    }
  };
  await walk(root, '');
  if (files.length === 0)
    throw badInput(`${dir} holds no files`, 'Run the build first; an empty site is never published.');
  return files;
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Digest of a build's content (paths, sizes, sha256s), for the publish claim. */
export function contentDigest(manifest: Pick<BuildManifest, 'files'>): string {
  const hash = createHash('sha256');
  const lines = manifest.files.map((f) => `${f.path}\u0000${f.size}\u0000${f.sha256}\n`).sort();
  for (const line of lines) hash.update(line);
  return hash.digest('hex');
}

/** Same paths with the same bytes: the headers may differ (rules changed) and still be "the same build". */
export function sameContent(a: BuildManifest, b: BuildManifest): boolean {
  if (a.files.length !== b.files.length) return false;
  const byPath = new Map(b.files.map((f) => [f.path, f]));
  return a.files.every((f) => byPath.get(f.path)?.sha256 === f.sha256 && byPath.get(f.path)?.size === f.size);
}

function changedWhilePublishing(path: string): FrontendOpsError {
  return new FrontendOpsError('BAD_INPUT', `${path} changed while it was being published`, {
    hint: 'Let the build finish before publishing; no build.json was written. Then run `frontendops publish DIR --commit SHA` again.',
  });
}

async function uploadFile(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  key: string,
  file: LocalFile,
  entry: ManifestFile,
): Promise<string> {
  const common = {
    Bucket: bucket,
    Key: key,
    ContentType: entry.contentType,
    CacheControl: entry.cacheControl,
    Metadata: { [SHA256_METADATA_KEY]: entry.sha256 },
  };
  const noEtag = () =>
    new FrontendOpsError('S3_ERROR', `uploading ${file.path}: S3 returned no ETag`, {
      hint: 'The endpoint is not S3-compatible enough to fingerprint a build; publish needs ETags.',
    });
  if (file.size > MULTIPART_THRESHOLD_BYTES) {
    // lib-storage splits, uploads parts in parallel and aborts on failure; a retry restarts the file.
    const output = await runner.run(
      'MultipartUpload',
      (abortSignal) => {
        const upload = new Upload({
          client: s3,
          params: { ...common, Body: createReadStream(file.absolutePath) },
          partSize: 8 * 1024 ** 2,
          queueSize: 4,
        });
        abortSignal.addEventListener('abort', () => void upload.abort(), { once: true });
        return upload.done();
      },
      // Uploading is bounded by the uplink, not by S3: allow 1 MB/s on top of a minute.
      { timeoutMs: 60_000 + Math.ceil(file.size / 1024 ** 2) * 1000 },
    );
    if (!output.ETag) throw noEtag();
    // A streamed upload carries no whole-file checksum: the file must still be the bytes hashed before.
    if ((await sha256Of(file.absolutePath)) !== entry.sha256) throw changedWhilePublishing(file.path);
    return output.ETag;
  }
  const body = await readFile(file.absolutePath);
  // The bytes read now must be the bytes hashed earlier (S3 checks the checksum too; not every
  // S3-compatible store does).
  if (body.length !== entry.size || createHash('sha256').update(body).digest('hex') !== entry.sha256) {
    throw changedWhilePublishing(file.path);
  }
  const output = await runner.run(
    'PutObject',
    (abortSignal) =>
      s3.send(
        new PutObjectCommand({
          ...common,
          Body: body,
          // S3 recomputes and rejects the upload if the bytes arrive different from what was hashed.
          ChecksumSHA256: Buffer.from(entry.sha256, 'hex').toString('base64'),
        }),
        { abortSignal },
      ),
    { timeoutMs: 60_000 + Math.ceil(file.size / 1024 ** 2) * 1000 },
  );
  if (!output.ETag) throw noEtag();
  return output.ETag;
}

interface StoredManifest {
  manifest: BuildManifest;
  etag: string | undefined;
}

async function readStoredManifest(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  key: string,
  commit: string,
): Promise<StoredManifest | undefined> {
  const found = await getJson(s3, runner, bucket, key, BuildManifestSchema);
  if (found === undefined) return undefined;
  if (found.value.commit !== commit) {
    throw new FrontendOpsError(
      'MANIFEST_INVALID',
      `s3://${bucket}/${key} names commit ${found.value.commit}`,
      {
        hint: 'The manifest was copied from another build; it cannot be republished over.',
      },
    );
  }
  return { manifest: found.value, etag: found.etag };
}

export async function publishBuild(deps: PublishDeps, request: PublishRequest): Promise<PublishReport> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  if (!isFullCommitSha(request.commit)) {
    throw badInput(
      `--commit ${JSON.stringify(request.commit)} is not a full 40-hex sha`,
      'Pass `git rev-parse HEAD`.',
    );
  }
  const { sync, commit } = request;
  // Before any request: a build only ever goes into the stack's own artifacts bucket.
  assertSyncBoundTo(sync, request.stackBuckets, request.stack ?? HOSTING_STACK);
  const sleep = deps.sleep ?? realSleep;
  const runner = createRequestRunner({
    sleep,
    ...(deps.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: deps.attemptTimeoutMs }),
    ...(deps.requestDeadlineMs === undefined ? {} : { deadlineMs: deps.requestDeadlineMs }),
    // Named in ENDPOINT_UNREACHABLE: which S3 did not answer.
    endpoint: { service: 's3', url: s3ClientEndpoint(deps.s3) },
  });
  const { s3 } = deps;
  const bucket = sync.source.bucket;
  const prefix = buildPrefixFor(sync, commit);
  const manifestKey = buildManifestKeyFor(sync, commit);
  const requiredFiles = request.requiredFiles ?? DEFAULT_REQUIRED_FILES;

  const local = await collectSiteFiles(request.dir);
  const rules = compileCacheRules(request.cacheRules);
  const hashLimit = pLimit(4);
  const entries: ManifestFile[] = await Promise.all(
    local.map((file) =>
      hashLimit(async () => ({
        path: file.path,
        size: file.size,
        sha256: await sha256Of(file.absolutePath),
        ...rules.headersFor(file.path),
      })),
    ),
  );
  const content = BuildManifestSchema.parse({
    schema: 1,
    commit,
    builtAt: now().toISOString(),
    files: entries,
  });
  // The same rules as the deploy preflight, before anything is uploaded.
  checkManifestRules(content, requiredFiles);
  const totalBytes = entries.reduce((sum, f) => sum + f.size, 0);
  const report = (status: PublishReport['status'], uploaded: number): PublishReport => ({
    status,
    commit,
    files: entries.length,
    bytes: totalBytes,
    uploaded,
    manifestKey,
    requests: runner.counts(),
    durationMs: now().getTime() - started.getTime(),
  });
  const conflict = (detail = '') =>
    new FrontendOpsError('BUILD_EXISTS', `commit ${commit} already has a different complete build${detail}`, {
      hint: 'Builds are immutable: a commit is built once. Rebuild from a new commit.',
      data: { manifestKey },
    });

  /**
   * What an existing build.json means for us: a complete build of the same content is a no-op, of
   * other content a conflict; a schema 1 build of the same content is upgraded (undefined + its ETag).
   */
  let legacy: StoredManifest | undefined;
  const completed = async (): Promise<PublishReport | undefined> => {
    const existing = await readStoredManifest(s3, runner, bucket, manifestKey, commit);
    legacy = undefined;
    if (existing === undefined) return undefined;
    if (!sameContent(existing.manifest, content)) throw conflict();
    if (existing.manifest.schema === BUILD_MANIFEST_SCHEMA) return report('unchanged', 0);
    legacy = existing;
    return undefined;
  };

  const identity = deps.identity ?? { host: hostname(), pid: process.pid };
  const elapsedMs = deps.elapsedMs ?? (() => performance.now());
  const ttlSeconds = request.claimTtlSeconds ?? DEFAULT_CLAIM_TTL_SECONDS;
  const claimed = await acquirePublishClaim(
    { s3, runner, sleep, elapsedMs, ...(deps.onWait ? { onWait: deps.onWait } : {}) },
    {
      bucket,
      key: publishClaimKeyFor(sync, commit),
      claim: {
        schema: 1,
        claimId: (deps.newClaimId ?? randomUUID)(),
        commit,
        owner: `${request.requestedBy ?? 'publish'} on ${identity.host} (pid ${identity.pid})`,
        ttlSeconds,
        digest: contentDigest(content),
        acquiredAt: now().toISOString(),
      },
      pollMs: request.pollMs ?? 1000,
      maxWaitMs: (request.maxWaitSeconds ?? ttlSeconds * 10) * 1000,
    },
    completed,
  );
  if ('done' in claimed) return claimed.done;
  const claim: ClaimHandle = claimed.handle;

  try {
    const etags = new Map<string, string>();
    const limit = pLimit(Math.max(1, request.concurrency));
    let done = 0;
    let bytes = 0;
    let failed = false;
    await Promise.all(
      local.map((file, index) =>
        limit(async () => {
          if (failed) return;
          const entry = entries[index] as ManifestFile;
          try {
            await claim.keepAlive();
            etags.set(file.path, await uploadFile(s3, runner, bucket, `${prefix}${file.path}`, file, entry));
          } catch (error) {
            failed = true;
            throw s3Failure(error, `uploading ${file.path}`);
          }
          done += 1;
          bytes += file.size;
          deps.onProgress?.({ done, total: local.length, bytes, totalBytes });
        }),
      ),
    );
    const manifest = BuildManifestSchema.parse({
      ...content,
      schema: BUILD_MANIFEST_SCHEMA,
      files: entries.map((e) => ({ ...e, etag: etags.get(e.path) })),
    });
    const location = { bucket, prefix };
    const paths = entries.map((e) => e.path);
    const where = `s3://${bucket}/${prefix}`;

    // Fence: renew now, so a publisher whose claim was taken over stops here instead of writing.
    await claim.keepAlive(true);
    const before = compareBuildListing(manifest, await listObjectsUnder(s3, runner, location, paths));
    if (before.length > 0) throw buildCorruptError(commit, before, `${where} (changed while publishing)`);

    try {
      await putJson(
        s3,
        runner,
        bucket,
        manifestKey,
        manifest,
        legacy?.etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: legacy.etag },
      );
    } catch (error) {
      if (!isPreconditionFailed(error) && !isNotFound(error))
        throw s3Failure(error, `writing ${manifestKey}`);
      // Someone completed the commit first (only possible after this claim was taken over).
      const raced = await readStoredManifest(s3, runner, bucket, manifestKey, commit);
      if (raced === undefined) throw s3Failure(error, `writing ${manifestKey}`);
      if (!sameContent(raced.manifest, content)) {
        const damaged =
          raced.manifest.schema === BUILD_MANIFEST_SCHEMA
            ? compareBuildListing(raced.manifest, await listObjectsUnder(s3, runner, location, paths)).length
            : 0;
        throw conflict(
          damaged > 0
            ? `, and ${damaged} of its stored files no longer match it (deploys of it will refuse it)`
            : '',
        );
      }
      return report('unchanged', local.length);
    }

    // One more listing: a stalled former claim holder could still have overwritten a file meanwhile.
    const after = compareBuildListing(manifest, await listObjectsUnder(s3, runner, location, paths));
    if (after.length > 0) {
      throw buildCorruptError(commit, after, `${where} (changed while build.json was written)`);
    }
    return report(legacy === undefined ? 'published' : 'upgraded', local.length);
  } finally {
    await claim.release();
  }
}
