import { FrontendOpsError } from '../../errors.js';
import type { CommitRecord, CreatedTag, GitHubBackend, TagRecord, TagSummary } from './backend.js';
import {
  type CreatedDeployTag,
  createNextDeployTag,
  DEFAULT_DEPLOY_TAG_PREFIX,
  nextDeployTag,
  resolveDeployDate,
} from './deploy-tag.js';
import type {
  CreateTagInput,
  GetCommitInput,
  GetTagInput,
  ListCommitsInput,
  ListTagsInput,
  NextDeployTagInput,
} from './schemas.js';
import { pageTagNames } from './tag-order.js';
import {
  validateAuthorFilter,
  validateCommitSha,
  validateIsoTimestamp,
  validateRepoCoordinates,
  validateRepoPath,
  validateRevision,
  validateTagFilter,
  validateTagMessage,
  validateTagName,
  validateTagPrefix,
} from './validate.js';

/**
 * What each tool does, apart from MCP: validate every input (nothing reaches a backend unchecked),
 * then call the backend. Tool files only register and format; tests call these directly too.
 */

export const DEFAULT_PER_PAGE = 30;

export async function listCommits(backend: GitHubBackend, input: ListCommitsInput): Promise<CommitRecord[]> {
  const coordinates = validateRepoCoordinates(input);
  return backend.listCommits({
    ...coordinates,
    ...(input.sha === undefined ? {} : { sha: validateRevision(input.sha) }),
    ...(input.path === undefined ? {} : { path: validateRepoPath(input.path) }),
    ...(input.author === undefined ? {} : { author: validateAuthorFilter(input.author) }),
    ...(input.since === undefined ? {} : { since: validateIsoTimestamp('since', input.since) }),
    ...(input.until === undefined ? {} : { until: validateIsoTimestamp('until', input.until) }),
    perPage: input.perPage ?? DEFAULT_PER_PAGE,
    page: input.page ?? 1,
  });
}

/** With `detail` other than "none" (the default is "stats", as on the official server), one page of files. */
export async function getCommit(backend: GitHubBackend, input: GetCommitInput): Promise<CommitRecord> {
  const coordinates = validateRepoCoordinates(input);
  const detail = input.detail ?? 'stats';
  const files =
    detail === 'none'
      ? undefined
      : { patch: detail === 'full_patch', page: input.page ?? 1, perPage: input.perPage ?? DEFAULT_PER_PAGE };
  return backend.getCommit(coordinates, validateRevision(input.sha), files);
}

export async function listTags(backend: GitHubBackend, input: ListTagsInput): Promise<TagSummary[]> {
  const coordinates = validateRepoCoordinates(input);
  const prefix = validateTagFilter(input.prefix ?? '');
  const names = await backend.listTagNames(coordinates, prefix);
  const onPage = pageTagNames(names, input.perPage ?? DEFAULT_PER_PAGE, input.page ?? 1);
  return backend.describeTags(coordinates, onPage);
}

export async function getTag(backend: GitHubBackend, input: GetTagInput): Promise<TagRecord> {
  const coordinates = validateRepoCoordinates(input);
  return backend.getTag(coordinates, validateTagName(input.tag));
}

export async function createTag(backend: GitHubBackend, input: CreateTagInput): Promise<CreatedTag> {
  const coordinates = validateRepoCoordinates(input);
  return backend.createTag({
    ...coordinates,
    tag: validateTagName(input.tag),
    sha: validateCommitSha(input.sha),
    message: validateTagMessage(input.message),
  });
}

export type NextDeployTagResult = { tag: string } | CreatedDeployTag;

export async function nextDeployTagFor(
  backend: GitHubBackend,
  input: NextDeployTagInput,
  now: () => Date,
): Promise<NextDeployTagResult> {
  const coordinates = validateRepoCoordinates(input);
  const prefix = validateTagPrefix(input.prefix ?? DEFAULT_DEPLOY_TAG_PREFIX);
  const stamp = resolveDeployDate(input.date, now);
  if (input.sha === undefined && input.message === undefined) {
    return { tag: await nextDeployTag(backend, { ...coordinates, prefix, stamp }) };
  }
  if (input.sha === undefined || input.message === undefined) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      'sha and message go together: pass both to create the tag, or neither',
      {
        hint: 'Without sha and message, only the next free tag name is returned.',
      },
    );
  }
  return createNextDeployTag(backend, {
    ...coordinates,
    prefix,
    stamp,
    sha: validateCommitSha(input.sha),
    message: validateTagMessage(input.message),
  });
}
