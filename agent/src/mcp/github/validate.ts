import { FrontendOpsError } from '../../errors.js';
import { checkRefFormat } from './ref-format.js';

/**
 * Input rules shared by both backends. Every tool argument that reaches git or the GitHub API passes
 * through one of these first, so a hostile value is refused with a code before anything is read or
 * written. All functions are pure and return the value to use.
 */

/** GitHub login rules: letters, digits and single hyphens, at most 39 characters. */
const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** GitHub repository names: letters, digits, `.`, `_`, `-`, at most 100 characters. */
const REPO_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
const FULL_SHA_PATTERN = /^[0-9a-fA-F]{40}$/;
/** Characters allowed in a branch, tag or abbreviated sha passed as a revision (no shell or git syntax). */
const REVISION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/+-]*$/;
const MAX_REVISION_LENGTH = 255;
const MAX_TAG_LENGTH = 200;
const MAX_PREFIX_LENGTH = 100;
const MAX_PATH_LENGTH = 4096;
/** Tag messages carry a summary plus the release record as JSON; 1 MB is ample. */
export const MAX_TAG_MESSAGE_LENGTH = 1_000_000;

export interface RepoCoordinates {
  owner: string;
  repo: string;
}

export function validateRepoCoordinates(input: RepoCoordinates): RepoCoordinates {
  if (!OWNER_PATTERN.test(input.owner)) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `owner ${JSON.stringify(input.owner)} is not a GitHub user or organisation name`,
      {
        hint: 'Pass only the owner, e.g. "sophia-ai": letters, digits and hyphens, no slashes.',
      },
    );
  }
  if (!REPO_PATTERN.test(input.repo) || input.repo === '.' || input.repo === '..') {
    throw new FrontendOpsError('BAD_INPUT', `repo ${JSON.stringify(input.repo)} is not a repository name`, {
      hint: 'Pass only the repository name, e.g. "sophia": letters, digits, ".", "_" and "-", no slashes.',
    });
  }
  return { owner: input.owner, repo: input.repo };
}

/** A full 40-hex commit sha (lower-cased). `create_tag` accepts nothing else: no refs, no expressions. */
export function validateCommitSha(sha: string): string {
  if (!FULL_SHA_PATTERN.test(sha)) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `sha ${JSON.stringify(sha)} is not a full 40-character hex commit sha`,
      {
        hint: 'Pass the full 40-character sha of an existing commit (`git rev-parse HEAD`).',
      },
    );
  }
  return sha.toLowerCase();
}

/**
 * A commit sha (full or abbreviated), branch or tag name — what github/github-mcp-server accepts as
 * `sha`. Refused: anything git would read as an option, a revision expression (`~`, `^`, `@{`, `:`) or
 * characters outside a conservative set, so the value can only ever name a ref or an object.
 */
export function validateRevision(revision: string): string {
  const format = checkRefFormat(revision, { allowOneLevel: true });
  if (revision.length > MAX_REVISION_LENGTH || !REVISION_PATTERN.test(revision) || !format.ok) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `sha ${JSON.stringify(revision)} is not a commit sha, branch or tag name`,
      {
        hint: 'Pass a commit sha, a branch name such as "main", or a tag name.',
      },
    );
  }
  return revision;
}

/**
 * A tag name, checked as `refs/tags/<tag>` by git's rules plus `git tag`'s own (no leading `-`), and
 * never something that looks like a full ref (`refs/heads/main` would silently become
 * `refs/tags/refs/heads/main`).
 */
export function validateTagName(tag: string): string {
  const refusal = (reason: string) =>
    new FrontendOpsError('TAG_INVALID', `tag ${JSON.stringify(tag)} is not a valid tag name: ${reason}`, {
      hint: 'Use a short name such as "dashboard-deploy-20260101-1": no spaces, "..", "@{", "~^:?*[\\" or control characters.',
    });
  if (tag.length > MAX_TAG_LENGTH) throw refusal(`it is longer than ${MAX_TAG_LENGTH} characters`);
  if (tag.startsWith('-')) throw refusal("it begins with '-'");
  if (tag.startsWith('refs/') || tag === 'HEAD') throw refusal('it names a full ref; pass the bare tag name');
  const format = checkRefFormat(`refs/tags/${tag}`);
  if (!format.ok) throw refusal(format.reason);
  return tag;
}

/** The prefix of deploy tags: the tag `<prefix>YYYYMMDD-N` must be a valid tag name. */
export function validateTagPrefix(prefix: string): string {
  if (prefix === '' || prefix.length > MAX_PREFIX_LENGTH) {
    throw new FrontendOpsError('TAG_INVALID', `prefix must be 1 to ${MAX_PREFIX_LENGTH} characters`, {
      hint: 'Use a prefix such as "dashboard-deploy-".',
    });
  }
  validateTagName(`${prefix}20000101-1`);
  return prefix;
}

/** A tag prefix filter for list_tags: any leading part of a valid tag name. */
export function validateTagFilter(prefix: string): string {
  if (prefix === '') return prefix;
  validateTagName(`${prefix}x`);
  return prefix;
}

export function validateTagMessage(message: string): string {
  if (message.includes('\u0000')) {
    throw new FrontendOpsError('BAD_INPUT', 'message contains a NUL character', {
      hint: 'git objects cannot hold NUL bytes in a message; remove it.',
    });
  }
  if (message.trim() === '') {
    throw new FrontendOpsError('BAD_INPUT', 'message is empty', {
      hint: 'An annotated tag needs a message.',
    });
  }
  if (message.length > MAX_TAG_MESSAGE_LENGTH) {
    throw new FrontendOpsError('BAD_INPUT', `message is longer than ${MAX_TAG_MESSAGE_LENGTH} characters`, {
      hint: 'Put a summary in the tag message, not whole build logs.',
    });
  }
  return message;
}

/**
 * A repository path filter such as `sophia-dashboard/` or `sophia-dashboard/package.json`: relative,
 * no `..` or `.` components, no control characters. It is used literally (no globs, no pathspec magic).
 */
export function validateRepoPath(path: string): string {
  const refusal = (reason: string) =>
    new FrontendOpsError('BAD_INPUT', `path ${JSON.stringify(path)} ${reason}`, {
      hint: 'Pass a path relative to the repository root, e.g. "sophia-dashboard/".',
    });
  if (path === '' || path.length > MAX_PATH_LENGTH) throw refusal('must be 1 to 4096 characters');
  if (path.startsWith('/')) throw refusal('must be relative to the repository root');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(path)) throw refusal('contains a control character');
  const components = path.replace(/\/+$/, '').split('/');
  if (components.some((component) => component === '..' || component === '.' || component === '')) {
    throw refusal("must not contain '.', '..' or empty components");
  }
  return path;
}

/** `since`/`until` filters: an ISO 8601 date or date-time, as the GitHub API takes them. */
export function validateIsoTimestamp(field: string, value: string): string {
  const pattern = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
  if (!pattern.test(value) || Number.isNaN(Date.parse(value))) {
    throw new FrontendOpsError('BAD_INPUT', `${field} ${JSON.stringify(value)} is not an ISO 8601 date`, {
      hint: 'Use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.',
    });
  }
  return value;
}

/** The `author` filter: a login, a name or an e-mail; passed to git as a fixed string, never a pattern. */
export function validateAuthorFilter(author: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (author === '' || author.length > 256 || /[\u0000-\u001f\u007f]/.test(author)) {
    throw new FrontendOpsError('BAD_INPUT', 'author must be 1 to 256 printable characters', {
      hint: 'Pass a GitHub login or an e-mail address.',
    });
  }
  return author;
}
