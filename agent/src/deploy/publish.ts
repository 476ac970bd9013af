import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import pLimit from 'p-limit';
import type { CacheRule } from '../config/schema.js';
import { FrontendOpsError } from '../errors.js';
import { formatZodIssues } from '../validation.js';
import { compileCacheRules } from './cache-rules.js';
import { SHA256_METADATA_KEY } from './copy.js';
import { readBuildManifest } from './manifest.js';
import {
  createRequestRunner,
  isPreconditionFailed,
  type RequestRunner,
  realSleep,
  s3Failure,
} from './requests.js';
import { putJson } from './s3-json.js';
import { type BuildManifest, BuildManifestSchema, type ManifestFile, SitePathSchema } from './schemas.js';
import { buildManifestKeyFor, buildPrefixFor, isFullCommitSha, type SyncCommand } from './sync-command.js';

/**
 * `frontendops publish DIR --commit SHA`: uploads a built site to `builds/<commit>/site/` with its
 * headers, then writes `build.json` last (with `If-None-Match: *`), so a build is either complete or
 * invisible to the engine. Builds are immutable: republishing identical content is a no-op, different
 * content for the same commit is BUILD_EXISTS.
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
}

export interface PublishRequest {
  dir: string;
  commit: string;
  sync: SyncCommand;
  cacheRules: readonly CacheRule[];
  concurrency: number;
}

export interface PublishReport {
  status: 'published' | 'unchanged';
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

/** Same paths with the same bytes: the headers may differ (rules changed) and still be "the same build". */
export function sameContent(a: BuildManifest, b: BuildManifest): boolean {
  if (a.files.length !== b.files.length) return false;
  const byPath = new Map(b.files.map((f) => [f.path, f]));
  return a.files.every((f) => byPath.get(f.path)?.sha256 === f.sha256 && byPath.get(f.path)?.size === f.size);
}

async function uploadFile(
  s3: S3Client,
  runner: RequestRunner,
  bucket: string,
  key: string,
  file: LocalFile,
  entry: ManifestFile,
): Promise<void> {
  const common = {
    Bucket: bucket,
    Key: key,
    ContentType: entry.contentType,
    CacheControl: entry.cacheControl,
    Metadata: { [SHA256_METADATA_KEY]: entry.sha256 },
  };
  if (file.size > MULTIPART_THRESHOLD_BYTES) {
    // lib-storage splits, uploads parts in parallel and aborts on failure; a retry restarts the file.
    await runner.run(
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
    return;
  }
  const body = await readFile(file.absolutePath);
  await runner.run(
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
  const runner = createRequestRunner({ sleep: deps.sleep ?? realSleep });
  const { s3 } = deps;
  const { sync, commit } = request;
  const bucket = sync.source.bucket;
  const prefix = buildPrefixFor(sync, commit);
  const manifestKey = buildManifestKeyFor(sync, commit);

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
  const manifest = BuildManifestSchema.parse({
    schema: 1,
    commit,
    builtAt: now().toISOString(),
    files: entries,
  });
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
  const compareWithExisting = async (): Promise<PublishReport | undefined> => {
    const existing = await readBuildManifest(s3, sync, commit, runner);
    if (existing === undefined) return undefined;
    if (sameContent(existing, manifest)) return report('unchanged', 0);
    throw new FrontendOpsError('BUILD_EXISTS', `commit ${commit} already has a different complete build`, {
      hint: 'Builds are immutable: a commit is built once. Rebuild from a new commit.',
      data: { manifestKey },
    });
  };

  const already = await compareWithExisting();
  if (already) return already;

  const limit = pLimit(Math.max(1, request.concurrency));
  let done = 0;
  let bytes = 0;
  await Promise.all(
    local.map((file, index) =>
      limit(async () => {
        const entry = entries[index] as ManifestFile;
        await uploadFile(s3, runner, bucket, `${prefix}${file.path}`, file, entry).catch((error: unknown) => {
          throw s3Failure(error, `uploading ${file.path}`);
        });
        done += 1;
        bytes += file.size;
        deps.onProgress?.({ done, total: local.length, bytes, totalBytes });
      }),
    ),
  );
  try {
    await putJson(s3, runner, bucket, manifestKey, manifest, { ifNoneMatch: '*' });
  } catch (error) {
    // Another publisher completed the same commit first: identical is fine, different is a conflict.
    if (isPreconditionFailed(error)) {
      const raced = await compareWithExisting();
      if (raced) return raced;
    }
    throw s3Failure(error, `writing ${manifestKey}`);
  }
  return report('published', local.length);
}
