import type { CommitRecord, GitHubUser, GitObjectRef, Person, TagRecord, TagSummary } from './backend.js';

/**
 * The JSON github/github-mcp-server puts in the text content of `list_commits`, `get_commit`,
 * `list_tags` and `get_tag`, built from our records, so a client written against that server parses
 * ours. The shapes follow its Go types field for field, including `omitempty`: a field Go would leave
 * out when empty is left out here too. Pure.
 *
 * - list_commits: an array of MinimalCommit without stats or files.
 * - get_commit: one MinimalCommit; `detail` "stats" adds stats and files, "full_patch" also patches.
 * - list_tags: an array of MinimalTag `{ name, sha }` (sha: the tagged commit).
 * - get_tag: the git tag object for an annotated tag, the `refs/tags/<name>` reference for a
 *   lightweight one (the GitHub API's own objects, as go-github marshals them).
 */

export type CommitDetailLevel = 'none' | 'stats' | 'full_patch';

export interface OfficialCommitAuthor {
  name?: string;
  email?: string;
  date?: string;
}

export interface OfficialUser {
  login: string;
  id?: number;
  profile_url?: string;
  avatar_url?: string;
}

export interface OfficialCommitFile {
  filename: string;
  status?: string;
  additions?: number;
  deletions?: number;
  changes?: number;
  patch?: string;
}

export interface OfficialCommit {
  sha: string;
  html_url: string;
  commit?: { message: string; author?: OfficialCommitAuthor; committer?: OfficialCommitAuthor };
  author?: OfficialUser;
  committer?: OfficialUser;
  stats?: { additions?: number; deletions?: number; total?: number };
  files?: OfficialCommitFile[];
}

export interface OfficialTag {
  name: string;
  sha: string;
}

export interface OfficialGitObject {
  type: string;
  sha: string;
  url: string;
}

export interface OfficialReference {
  ref: string;
  url: string;
  object: OfficialGitObject;
  node_id?: string;
}

export interface OfficialTagObject {
  tag?: string;
  sha?: string;
  url?: string;
  message?: string;
  tagger?: OfficialCommitAuthor;
  object?: OfficialGitObject;
  verification?: { verified: boolean; reason?: string };
  node_id?: string;
}

/** Sets `key` only when Go's `omitempty` would keep it (not '', 0, undefined or null). */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null | undefined): void {
  if (value === undefined || value === null || value === '' || value === 0) return;
  target[key] = value;
}

function author(person: Person): OfficialCommitAuthor | undefined {
  const out: OfficialCommitAuthor = {};
  put(out, 'name', person.name);
  put(out, 'email', person.email);
  put(out, 'date', person.date);
  return Object.keys(out).length === 0 ? undefined : out;
}

function account(user: GitHubUser | null | undefined): OfficialUser | undefined {
  if (user === undefined || user === null) return undefined;
  const out: OfficialUser = { login: user.login };
  put(out, 'id', user.id);
  put(out, 'profile_url', user.htmlUrl);
  put(out, 'avatar_url', user.avatarUrl);
  return out;
}

export function officialCommit(record: CommitRecord, detail: CommitDetailLevel = 'none'): OfficialCommit {
  const info: NonNullable<OfficialCommit['commit']> = { message: record.message };
  put(info, 'author', author(record.author));
  put(info, 'committer', author(record.committer));
  const out: OfficialCommit = { sha: record.sha, html_url: record.htmlUrl ?? '', commit: info };
  put(out, 'author', account(record.authorUser));
  put(out, 'committer', account(record.committerUser));
  if (detail === 'none' || record.changes === undefined) return out;
  const stats: NonNullable<OfficialCommit['stats']> = {};
  put(stats, 'additions', record.changes.stats.additions);
  put(stats, 'deletions', record.changes.stats.deletions);
  put(stats, 'total', record.changes.stats.total);
  out.stats = stats;
  const files = record.changes.files.map((file) => {
    const entry: OfficialCommitFile = { filename: file.filename };
    put(entry, 'status', file.status);
    put(entry, 'additions', file.additions);
    put(entry, 'deletions', file.deletions);
    put(entry, 'changes', file.changes);
    if (detail === 'full_patch') put(entry, 'patch', file.patch);
    return entry;
  });
  if (files.length > 0) out.files = files;
  return out;
}

/** The fields `list_commits` may be narrowed to (its `fields` argument), as the official server lists them. */
export const COMMIT_FIELDS = ['sha', 'html_url', 'commit', 'author', 'committer'] as const;
export type CommitField = (typeof COMMIT_FIELDS)[number];

/** Keeps only the asked-for fields of each commit; absent (empty) fields stay absent. */
export function pickCommitFields(
  commits: readonly OfficialCommit[],
  fields: readonly CommitField[],
): Array<Partial<OfficialCommit>> {
  return commits.map((commit) => {
    const picked: Partial<OfficialCommit> = {};
    for (const field of fields) {
      if (commit[field] !== undefined) Object.assign(picked, { [field]: commit[field] });
    }
    return picked;
  });
}

export function officialTags(tags: readonly TagSummary[]): OfficialTag[] {
  return tags.map((tag) => ({ name: tag.name, sha: tag.sha }));
}

function gitObject(object: GitObjectRef): OfficialGitObject {
  return { type: object.type, sha: object.sha, url: object.url ?? '' };
}

export function officialGetTag(record: TagRecord): OfficialTagObject | OfficialReference {
  const tagObject = record.tagObject;
  if (tagObject !== undefined) {
    const out: OfficialTagObject = {};
    put(out, 'tag', record.name);
    put(out, 'sha', tagObject.sha);
    put(out, 'url', tagObject.url);
    put(out, 'message', record.message);
    put(out, 'tagger', record.tagger === null ? undefined : author(record.tagger));
    out.object = gitObject(tagObject.object);
    if (tagObject.verification !== undefined) {
      const verification: NonNullable<OfficialTagObject['verification']> = {
        verified: tagObject.verification.verified,
      };
      put(verification, 'reason', tagObject.verification.reason);
      out.verification = verification;
    }
    put(out, 'node_id', tagObject.nodeId);
    return out;
  }
  const target = record.ref?.object ?? { type: 'commit', sha: record.sha };
  const out: OfficialReference = {
    ref: `refs/tags/${record.name}`,
    url: record.ref?.url ?? '',
    object: gitObject(target),
  };
  put(out, 'node_id', record.ref?.nodeId);
  return out;
}

/**
 * JSON as Go's encoding/json writes it: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped. The
 * escapes also mean the text can never contain the fence tags of our untrusted-content block.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
