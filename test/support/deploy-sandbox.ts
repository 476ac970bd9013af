import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createCloudFrontInvalidator, LOCAL_POLL_DELAY } from '../../agent/src/cdn/cloudfront-invalidator.js';
import type { Invalidator } from '../../agent/src/cdn/invalidator.js';
import { loadConfig, selectStack } from '../../agent/src/config/load.js';
import type { StackBuckets } from '../../agent/src/deploy/bound-target.js';
import {
  type DeployDeps,
  type DeployReport,
  type DeployRequest,
  runDeploy,
} from '../../agent/src/deploy/pipeline.js';
import { publishBuild } from '../../agent/src/deploy/publish.js';
import { currentReleaseKey } from '../../agent/src/deploy/releases.js';
import { type ReleaseRecord, ReleaseRecordSchema } from '../../agent/src/deploy/schemas.js';
import { readDeployTarget } from '../../agent/src/deploy/stack-target.js';
import type { SyncCommand } from '../../agent/src/deploy/sync-command.js';
import type { Sandbox } from '../../agent/src/sandbox/index.js';
import { generateSite, type SiteFile, type SiteSpec, writeSite } from './builds.js';
import { commitSha } from './deploy-fixtures.js';
import { runGit } from './git-repo.js';
import { sandboxCloudFrontClient, sandboxS3Client } from './sandbox.js';

/**
 * The engine wired to a running sandbox the way `frontendops deploy` wires it: outputs from the
 * sandbox's Pulumi state, the S3 client with the engine's own retries (`maxAttempts: 1`), and the
 * CloudFront invalidator against the sandbox's CloudFront API.
 */
export interface EngineOnSandbox {
  s3: S3Client;
  sync: SyncCommand;
  /** The stack's own bucket outputs, which `sync` is bound to. */
  buckets: StackBuckets;
  url: string;
  invalidator: Invalidator;
  /** Generates version `version` (commit: `spec.commit`, else commitSha(version)), publishes it. */
  publishVersion(version: number, spec?: Partial<SiteSpec>): Promise<{ commit: string; files: SiteFile[] }>;
  deploy(
    commit: string,
    overrides?: Partial<DeployRequest>,
    deps?: Partial<DeployDeps>,
  ): Promise<DeployReport>;
  /** The hosting bucket: key → ETag. */
  listing(): Promise<Map<string, string>>;
  getHosting(key: string): Promise<{
    body: Buffer;
    contentType?: string;
    cacheControl?: string;
    metadata?: Record<string, string>;
  }>;
  close(): Promise<void>;
}

export const STACK = 'dashboard-hosting-prod';

/**
 * A new commit touching sophia-dashboard/ in the sandbox's scratch repository: `frontendops deploy` now
 * runs through the agent, which checks the commit and tags it with the github MCP server, so a CLI
 * deploy needs a commit that really exists there.
 */
export async function commitInScratchRepo(sandbox: Sandbox, label: string): Promise<string> {
  const repo = sandbox.info.repoPath;
  await mkdir(join(repo, 'sophia-dashboard'), { recursive: true });
  await writeFile(join(repo, 'sophia-dashboard', 'CHANGES.txt'), `${label}\n`);
  const env = {
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 't@example.test',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 't@example.test',
  };
  await runGit(repo, ['add', '--', 'sophia-dashboard/CHANGES.txt'], { env });
  await runGit(repo, ['commit', '--quiet', '--no-verify', '-m', `Dashboard: ${label}`], { env });
  return (await runGit(repo, ['rev-parse', 'HEAD'], { env })).trim();
}

export async function engineOnSandbox(
  sandbox: Sandbox,
  defaults: Partial<DeployRequest> = {},
): Promise<EngineOnSandbox> {
  const loaded = await loadConfig(sandbox.info.configPath);
  const stack = selectStack(loaded.config, STACK);
  const target = await readDeployTarget(stack);
  const s3 = sandboxS3Client(sandbox, { maxAttempts: 1 });
  const invalidator = createCloudFrontInvalidator({
    client: sandboxCloudFrontClient(sandbox),
    distributionId: target.outputs.distributionId,
    poll: LOCAL_POLL_DELAY,
  });
  const scratch = await mkdtemp(join(tmpdir(), 'frontendops-builds-'));
  return {
    s3,
    sync: target.sync,
    buckets: target.buckets,
    url: target.outputs.url,
    invalidator,
    async publishVersion(version, spec = {}) {
      const commit = spec.commit ?? commitSha(version);
      const files = generateSite({ files: 60, version, ...spec, commit });
      const dir = join(scratch, `v${version}-${Math.random().toString(36).slice(2)}`);
      await writeSite(dir, files);
      await publishBuild(
        { s3 },
        { dir, commit, sync: target.sync, stackBuckets: target.buckets, cacheRules: [], concurrency: 16 },
      );
      return { commit, files };
    },
    deploy(commit, overrides = {}, deps = {}) {
      return runDeploy(
        { s3, invalidator, ...deps },
        {
          stack: STACK,
          commit,
          sync: target.sync,
          stackBuckets: target.buckets,
          url: target.outputs.url,
          trigger: 'cli',
          requestedBy: 'integration-test',
          dryRun: false,
          keepReleases: loaded.config.keepReleases,
          concurrency: 16,
          lockTtlSeconds: 60,
          cacheRules: [],
          invalidation: { collapseAbove: 25, maxWaitSeconds: 30 },
          ...defaults,
          ...overrides,
        },
      );
    },
    async listing() {
      const out = new Map<string, string>();
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: target.sync.destination.bucket, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) out.set(o.Key ?? '', o.ETag ?? '');
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    async getHosting(key) {
      const r = await s3.send(new GetObjectCommand({ Bucket: target.sync.destination.bucket, Key: key }));
      return {
        body: Buffer.from(await r.Body!.transformToByteArray()),
        ...(r.ContentType === undefined ? {} : { contentType: r.ContentType }),
        ...(r.CacheControl === undefined ? {} : { cacheControl: r.CacheControl }),
        ...(r.Metadata === undefined ? {} : { metadata: r.Metadata }),
      };
    },
    async close() {
      s3.destroy();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** The stack's journal (its current release record) as the engine wrote it, validated. */
export async function readCurrentJournal(engine: EngineOnSandbox): Promise<ReleaseRecord> {
  const r = await engine.s3.send(
    new GetObjectCommand({ Bucket: engine.sync.source.bucket, Key: currentReleaseKey(STACK) }),
  );
  return ReleaseRecordSchema.parse(JSON.parse(await r.Body!.transformToString()));
}
