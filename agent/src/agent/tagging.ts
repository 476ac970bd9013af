import type { ReleaseRecord } from '../deploy/schemas.js';
import { ReleaseRecordSchema } from '../deploy/schemas.js';
import { FrontendOpsError, isFrontendOpsError } from '../errors.js';
import type { GithubTools } from './github.js';

/**
 * Design §5 step 8: tag the deployed commit `dashboard-deploy-YYYYMMDD-N` through the github MCP
 * server, with a summary and the release record as JSON in the annotated tag's message. The name
 * comes from `next_deploy_tag`; if another deploy creates that name first (`TAG_CONFLICT`), ask again
 * and never go below the next number after the one that clashed.
 */

export const MAX_TAG_ATTEMPTS = 5;
/** The line after which a deploy tag's message carries the release record JSON. */
export const RELEASE_RECORD_MARKER = 'FrontendOps release record:';

export function deployTagMessage(release: ReleaseRecord): string {
  const summary = [
    `Deploy ${release.commit} to ${release.stack}`,
    '',
    `release ${release.releaseId}, trigger ${release.trigger}, requested by ${release.requestedBy}`,
    `copied ${release.copied}, unchanged ${release.unchanged}, deleted ${release.deleted}` +
      (release.invalidationId ? `, invalidation ${release.invalidationId}` : ''),
    '',
    RELEASE_RECORD_MARKER,
    JSON.stringify(release, null, 2),
  ];
  return `${summary.join('\n')}\n`;
}

/** The release record inside a deploy tag's message; undefined when the message holds none. */
export function releaseFromTagMessage(message: string): ReleaseRecord | undefined {
  const at = message.indexOf(RELEASE_RECORD_MARKER);
  if (at < 0) return undefined;
  try {
    const parsed = ReleaseRecordSchema.safeParse(
      JSON.parse(message.slice(at + RELEASE_RECORD_MARKER.length)),
    );
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

export async function tagRelease(github: GithubTools, release: ReleaseRecord, now: Date): Promise<string> {
  const message = deployTagMessage(release);
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
      hint: 'Other deploys keep taking the next tag number; the release is live, tag it by hand if needed.',
      data: { lastTried: clashed },
    },
  );
}
