import { z } from 'zod';
import { historyKey } from '../deploy/releases.js';
import type { ReleaseRecord } from '../deploy/schemas.js';
import { FrontendOpsError, isFrontendOpsError } from '../errors.js';
import type { GithubTools } from './github.js';

/**
 * Tags a deployed commit `dashboard-deploy-YYYYMMDD-N` through the github MCP server. The annotated
 * tag's message is a bounded summary and a pointer to the release record in the artifacts bucket —
 * never the record itself, whose file list grows with the site (a 4,000-file record once made every
 * tag attempt fail at git's message limit). Tagging is idempotent per release: a release whose tag
 * was created by an interrupted run is found by its pointer and not tagged twice. The name comes from
 * `next_deploy_tag`; if another deploy takes that name first (`TAG_CONFLICT`), ask again and never go
 * below the next number after the one that clashed.
 */

export const MAX_TAG_ATTEMPTS = 5;
/** The line of a deploy tag's message that carries the pointer to the release record. */
export const RELEASE_POINTER_MARKER = 'FrontendOps release:';
/** Messages of tags made before the pointer carried the whole record after this line. */
const LEGACY_RECORD_MARKER = 'FrontendOps release record:';
/** Whatever the release, its tag message stays below this many characters. */
export const MAX_DEPLOY_TAG_MESSAGE = 4096;

export const ReleasePointerSchema = z
  .object({
    schema: z.literal(1),
    stack: z.string().min(1).max(200),
    releaseId: z.string().min(1).max(128),
    commit: z.string().regex(/^[0-9a-f]{40}$/),
    kind: z.string().max(32),
    trigger: z.string().max(32),
    requestedBy: z.string().max(200),
    startedAt: z.string().max(64),
    files: z.number().int().min(0),
    /** Where the release record lives: `s3://<artifacts bucket>/releases/<stack>/history/…`. */
    record: z.string().max(1500),
  })
  .strict();
export type ReleasePointer = z.infer<typeof ReleasePointerSchema>;

function oneLine(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: flattening control characters is the point.
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function releasePointer(release: ReleaseRecord, artifactsBucket: string): ReleasePointer {
  return {
    schema: 1,
    stack: release.stack,
    releaseId: release.releaseId,
    commit: release.commit,
    kind: release.kind,
    trigger: release.trigger,
    requestedBy: oneLine(release.requestedBy, 200),
    startedAt: release.startedAt,
    files: release.files.length,
    record: `s3://${artifactsBucket}/${historyKey(release)}`,
  };
}

export function deployTagMessage(release: ReleaseRecord, artifactsBucket: string): string {
  const pointer = releasePointer(release, artifactsBucket);
  const lines = [
    `Deploy ${release.commit} to ${oneLine(release.stack, 200)}${release.kind === 'deploy' ? '' : ` (${release.kind})`}`,
    '',
    `release ${release.releaseId}, trigger ${release.trigger}, requested by ${pointer.requestedBy}`,
    `files ${release.files.length}: copied ${release.copied}, unchanged ${release.unchanged}` +
      (release.invalidationId ? `, invalidation ${oneLine(release.invalidationId, 64)}` : ''),
    ...(release.subject ? [`subject: ${oneLine(release.subject, 200)}`] : []),
    `record: ${pointer.record}`,
    '',
    `${RELEASE_POINTER_MARKER} ${JSON.stringify(pointer)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The release pointer inside a deploy tag's message; undefined when the message holds none. */
export function releasePointerFromTagMessage(message: string): ReleasePointer | undefined {
  const at = message.indexOf(RELEASE_POINTER_MARKER);
  if (at >= 0) {
    const line = message.slice(at + RELEASE_POINTER_MARKER.length).split('\n')[0] ?? '';
    try {
      const parsed = ReleasePointerSchema.safeParse(JSON.parse(line));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
  const legacy = message.indexOf(LEGACY_RECORD_MARKER);
  if (legacy < 0) return undefined;
  try {
    const record = JSON.parse(message.slice(legacy + LEGACY_RECORD_MARKER.length)) as Record<string, unknown>;
    const files = Array.isArray(record.files) ? record.files.length : 0;
    const parsed = ReleasePointerSchema.safeParse({
      schema: 1,
      stack: record.stack,
      releaseId: record.releaseId,
      commit: record.commit,
      kind: record.trigger === 'rollback' ? 'rollback' : 'deploy',
      trigger: record.trigger,
      requestedBy: record.requestedBy,
      startedAt: record.startedAt,
      files,
      record: '(in this tag message)',
    });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function numberOf(tag: string): number | undefined {
  const match = /-(\d+)$/.exec(tag);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function withNumber(tag: string, n: number): string {
  return tag.replace(/-(\d+)$/, `-${n}`);
}

/** A deploy tag already made for this release (by a run that stopped before recording it). */
export async function findReleaseTag(
  github: GithubTools,
  release: ReleaseRecord,
): Promise<string | undefined> {
  const onCommit = (await github.listDeployTags()).filter((t) => t.sha === release.commit);
  for (const tag of onCommit) {
    const detail = await github.getTag(tag.name);
    if (releasePointerFromTagMessage(detail.message)?.releaseId === release.releaseId) return tag.name;
  }
  return undefined;
}

export async function tagRelease(
  github: GithubTools,
  release: ReleaseRecord,
  now: Date,
  where: { artifactsBucket: string },
): Promise<string> {
  const existing = await findReleaseTag(github, release);
  if (existing !== undefined) return existing;
  const message = deployTagMessage(release, where.artifactsBucket);
  if (message.length > MAX_DEPLOY_TAG_MESSAGE) {
    throw new FrontendOpsError('INTERNAL', `the deploy tag message is ${message.length} characters`, {
      hint: 'A deploy tag message is bounded; please report this with the audit log entry.',
    });
  }
  let clashed: string | undefined;
  for (let attempt = 1; attempt <= MAX_TAG_ATTEMPTS; attempt += 1) {
    let name = await github.nextDeployTag(now);
    const clashedN = clashed === undefined ? undefined : numberOf(clashed);
    const n = numberOf(name);
    if (clashed !== undefined && clashedN !== undefined && (n === undefined || n <= clashedN)) {
      name = withNumber(clashed, clashedN + 1);
    }
    try {
      return (await github.createTag(name, release.commit, message)).name;
    } catch (error) {
      if (!isFrontendOpsError(error, 'TAG_CONFLICT')) throw error;
      clashed = name;
    }
  }
  throw new FrontendOpsError(
    'TAG_CONFLICT',
    `could not create a deploy tag after ${MAX_TAG_ATTEMPTS} attempts`,
    {
      hint: 'Other deploys keep taking the next tag number; `frontendops status --finish` tags the release later.',
      data: { lastTried: clashed },
    },
  );
}
