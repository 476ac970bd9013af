import type { Commit, Person } from '../backend.js';

/**
 * Parsers for the output of the git commands the git backend runs. Pure, so every edge (root commits,
 * empty messages, hostile text in messages) is unit-tested without a repository.
 */

/**
 * `git log --format` for one commit. Each record starts with NUL, RS, NUL; fields are NUL-separated and
 * the message comes last. git objects cannot carry NUL in names, e-mails or messages, so nothing a
 * commit author writes can forge a field or record boundary.
 */
export const COMMIT_RECORD_START = '\u0000\u001e\u0000';
export const COMMIT_LOG_FORMAT = '%x00%x1e%x00%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B';

/** `2026-01-01T10:00:00+02:00` or an epoch → `2026-01-01T08:00:00Z`, the form GitHub's API returns. */
export function toUtcIso(value: string | number): string {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Messages without trailing newlines, as the GitHub API returns them. */
export function trimMessage(message: string): string {
  return message.replace(/\n+$/, '');
}

export function parseCommitLog(stdout: string): Commit[] {
  const records = stdout.split(COMMIT_RECORD_START).slice(1);
  return records.map((record) => {
    const fields = record.split('\u0000');
    if (fields.length < 9) throw new Error(`unexpected git log record with ${fields.length} fields`);
    const [sha, parents, authorName, authorEmail, authorDate, committerName, committerEmail, committerDate] =
      fields as [string, string, string, string, string, string, string, string];
    // git refuses NUL in commit messages; should a hand-made object carry one, it stays in the message.
    const message = fields.slice(8).join('\u0000');
    return {
      sha,
      message: trimMessage(message),
      author: { name: authorName, email: authorEmail, date: toUtcIso(authorDate) },
      committer: { name: committerName, email: committerEmail, date: toUtcIso(committerDate) },
      parents: parents === '' ? [] : parents.split(' '),
      untrusted: true as const,
    };
  });
}

/** `git for-each-ref` format for tags: one line per ref, NUL-separated fields. */
export const TAG_REF_FORMAT = '%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)';

export interface TagRef {
  name: string;
  /** `tag` for an annotated tag, `commit` for a lightweight one (others exist but are rare). */
  objectType: string;
  objectSha: string;
  /** The object an annotated tag points at (one level), '' for lightweight tags. */
  peeledType: string;
  peeledSha: string;
}

export function parseTagRefs(stdout: string): TagRef[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [refname = '', objectType = '', objectSha = '', peeledType = '', peeledSha = ''] =
        line.split('\u0000');
      return { name: refname.replace(/^refs\/tags\//, ''), objectType, objectSha, peeledType, peeledSha };
    });
}

export interface TagObject {
  object: string;
  type: string;
  tag: string;
  tagger: Person | null;
  message: string;
}

const TAGGER_LINE = /^tagger (.*) <([^<>]*)> (\d+) ([+-]\d{4})$/;

/** `git cat-file tag <sha>`: headers, a blank line, then the message (and any signature). */
export function parseTagObject(raw: string): TagObject {
  const split = raw.indexOf('\n\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const message = split === -1 ? '' : raw.slice(split + 2);
  const headers = new Map<string, string>();
  let tagger: Person | null = null;
  for (const line of head.split('\n')) {
    const space = line.indexOf(' ');
    if (space === -1) continue;
    const key = line.slice(0, space);
    if (key === 'tagger') {
      const match = TAGGER_LINE.exec(line);
      if (match !== null) tagger = { name: match[1]!, email: match[2]!, date: toUtcIso(Number(match[3])) };
    } else if (!headers.has(key)) {
      headers.set(key, line.slice(space + 1));
    }
  }
  return {
    object: headers.get('object') ?? '',
    type: headers.get('type') ?? '',
    tag: headers.get('tag') ?? '',
    tagger,
    message: trimMessage(message),
  };
}
