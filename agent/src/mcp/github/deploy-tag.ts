import { FrontendOpsError, isFrontendOpsError } from '../../errors.js';
import type { CreatedTag, GitHubBackend, RepoRef } from './backend.js';

/**
 * Deploy tags: `<prefix>YYYYMMDD-N`, UTC date, N one more than the highest N that
 * day. Naming is pure; `createNextDeployTag` adds the race-safe creation: the backend's createTag is
 * atomic per name, so of two racing deploys one gets TAG_CONFLICT and moves on to the next N.
 */

export const DEFAULT_DEPLOY_TAG_PREFIX = 'dashboard-deploy-';
/** More racers than this on one repository within one request is not a deploy pattern; it is a bug. */
export const MAX_DEPLOY_TAG_ATTEMPTS = 10;

/** `YYYYMMDD` of `date` in UTC. */
export function deployDateStamp(date: Date): string {
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${year}${month}${day}`;
}

function badDate(input: string): FrontendOpsError {
  return new FrontendOpsError('BAD_INPUT', `date ${JSON.stringify(input)} is not a date`, {
    hint: 'Use YYYY-MM-DD, YYYYMMDD or an ISO 8601 date-time (converted to its UTC date).',
  });
}

/**
 * The UTC `YYYYMMDD` for the `date` input: `YYYY-MM-DD`, `YYYYMMDD`, or an ISO 8601 date-time with a
 * zone (its UTC date). Without input, today's UTC date from the injected clock.
 */
export function resolveDeployDate(input: string | undefined, now: () => Date): string {
  if (input === undefined) return deployDateStamp(now());
  const day = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(input);
  if (day !== null) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const parsed = new Date(Date.UTC(year, month - 1, date));
    if (
      parsed.getUTCFullYear() !== year ||
      parsed.getUTCMonth() !== month - 1 ||
      parsed.getUTCDate() !== date
    ) {
      throw badDate(input);
    }
    return deployDateStamp(parsed);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(input))
    throw badDate(input);
  const parsed = new Date(input);
  if (Number.isNaN(parsed.getTime())) throw badDate(input);
  return deployDateStamp(parsed);
}

export function formatDeployTag(prefix: string, stamp: string, n: number): string {
  return `${prefix}${stamp}-${n}`;
}

/** N of `<prefix><stamp>-N`, or undefined for any other name (other days, suffixes, non-numbers). */
export function deployTagNumber(name: string, prefix: string, stamp: string): number | undefined {
  const head = `${prefix}${stamp}-`;
  if (!name.startsWith(head)) return undefined;
  const rest = name.slice(head.length);
  if (!/^\d{1,15}$/.test(rest)) return undefined;
  const n = Number(rest);
  return n >= 1 ? n : undefined;
}

/** The next free N that day: highest existing + 1 (gaps are never filled), at least `after` + 1. */
export function nextDeployTagNumber(
  names: readonly string[],
  prefix: string,
  stamp: string,
  after = 0,
): number {
  let highest = after;
  for (const name of names) {
    const n = deployTagNumber(name, prefix, stamp);
    if (n !== undefined && n > highest) highest = n;
  }
  return highest + 1;
}

/** git stores messages with a trailing newline; GitHub does not always. Compare without it. */
function sameMessage(a: string, b: string): boolean {
  return a.replace(/\n+$/, '') === b.replace(/\n+$/, '');
}

export interface NextDeployTagRequest extends RepoRef {
  prefix: string;
  /** `YYYYMMDD`, see resolveDeployDate. */
  stamp: string;
}

/** The name the next deploy tag would get. Read-only. */
export async function nextDeployTag(backend: GitHubBackend, request: NextDeployTagRequest): Promise<string> {
  const repo = { owner: request.owner, repo: request.repo };
  const names = await backend.listTagNames(repo, `${request.prefix}${request.stamp}-`);
  return formatDeployTag(
    request.prefix,
    request.stamp,
    nextDeployTagNumber(names, request.prefix, request.stamp),
  );
}

export interface CreateDeployTagRequest extends NextDeployTagRequest {
  sha: string;
  message: string;
  maxAttempts?: number;
}

export type CreatedDeployTag = {
  tag: string;
  sha: string;
  created: boolean;
};

/**
 * Creates the next deploy tag on `sha`. A retry of the same request (a tag that day on the same commit
 * with the same message) returns that tag with `created: false` instead of tagging the release twice.
 * On TAG_CONFLICT (another deploy took N first) it re-reads the tags and takes the next N.
 */
export async function createNextDeployTag(
  backend: GitHubBackend,
  request: CreateDeployTagRequest,
): Promise<CreatedDeployTag> {
  const repo = { owner: request.owner, repo: request.repo };
  const dayPrefix = `${request.prefix}${request.stamp}-`;
  const maxAttempts = request.maxAttempts ?? MAX_DEPLOY_TAG_ATTEMPTS;
  let lastTried = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const names = await backend.listTagNames(repo, dayPrefix);
    if (attempt === 1) {
      const reused = await findSameRelease(backend, repo, request, names);
      if (reused !== undefined) return { tag: reused, sha: request.sha, created: false };
    }
    const n = nextDeployTagNumber(names, request.prefix, request.stamp, lastTried);
    const tag = formatDeployTag(request.prefix, request.stamp, n);
    let result: CreatedTag;
    try {
      result = await backend.createTag({ ...repo, tag, sha: request.sha, message: request.message });
    } catch (error) {
      if (!isFrontendOpsError(error, 'TAG_CONFLICT')) throw error;
      lastTried = n;
      continue;
    }
    return { tag: result.name, sha: result.sha, created: result.created };
  }
  throw new FrontendOpsError(
    'TAG_CONFLICT',
    `gave up after ${maxAttempts} attempts to create a ${dayPrefix}N tag`,
    {
      hint: 'Other deploys keep taking the next tag number; retry, or check what is creating tags.',
      data: { prefix: dayPrefix, attempts: maxAttempts },
    },
  );
}

async function findSameRelease(
  backend: GitHubBackend,
  repo: RepoRef,
  request: CreateDeployTagRequest,
  names: readonly string[],
): Promise<string | undefined> {
  const numbered = names.filter((name) => deployTagNumber(name, request.prefix, request.stamp) !== undefined);
  if (numbered.length === 0) return undefined;
  const onCommit = (await backend.describeTags(repo, numbered)).filter((tag) => tag.sha === request.sha);
  for (const tag of onCommit) {
    const detail = await backend.getTag(repo, tag.name);
    if (detail.annotated && sameMessage(detail.message, request.message)) return tag.name;
  }
  return undefined;
}
