import type { CommitChanges, FileChange, FileStatus } from '../backend.js';

/**
 * A commit's changed files from `git diff-tree -z`, in the shape the GitHub API gives them (status
 * words, additions and deletions per file, whole-commit stats). Pure parsers: `-z` output separates
 * paths with NUL, so no path (spaces, newlines, quotes) can shift a field.
 */

/** `--name-status` letters → GitHub's status words. */
const STATUS: Record<string, FileStatus> = {
  A: 'added',
  D: 'removed',
  M: 'modified',
  R: 'renamed',
  C: 'copied',
  T: 'changed',
};

export interface NameStatus {
  status: FileStatus;
  path: string;
  /** The path before a rename or copy. */
  previousPath?: string;
}

/** `git diff-tree -r -z -M --name-status`: `M\0path\0`, `R066\0old\0new\0`. */
export function parseNameStatusZ(stdout: string): NameStatus[] {
  const fields = stdout.split('\u0000');
  const entries: NameStatus[] = [];
  for (let i = 0; i < fields.length; ) {
    const code = fields[i] ?? '';
    if (code === '') {
      i += 1;
      continue;
    }
    const letter = code[0] ?? '';
    const status = STATUS[letter] ?? 'changed';
    if (letter === 'R' || letter === 'C') {
      entries.push({ status, previousPath: fields[i + 1] ?? '', path: fields[i + 2] ?? '' });
      i += 3;
    } else {
      entries.push({ status, path: fields[i + 1] ?? '' });
      i += 2;
    }
  }
  return entries;
}

export interface NumStat {
  /** 0 for binary files, as GitHub reports them. */
  additions: number;
  deletions: number;
  path: string;
}

/** `git diff-tree -r -z -M --numstat`: `1\t2\tpath\0`, or `1\t2\t\0old\0new\0` for a rename. */
export function parseNumstatZ(stdout: string): NumStat[] {
  const fields = stdout.split('\u0000');
  const entries: NumStat[] = [];
  for (let i = 0; i < fields.length; ) {
    const field = fields[i] ?? '';
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(field);
    if (match === null) {
      i += 1;
      continue;
    }
    const count = (text: string | undefined) => (text === undefined || text === '-' ? 0 : Number(text));
    const additions = count(match[1]);
    const deletions = count(match[2]);
    if (match[3] === '') {
      entries.push({ additions, deletions, path: fields[i + 2] ?? '' });
      i += 3;
    } else {
      entries.push({ additions, deletions, path: match[3] ?? '' });
      i += 1;
    }
  }
  return entries;
}

/** Both listings of one diff (they come out in the same order) → GitHub's files and stats. */
export function commitChanges(nameStatus: readonly NameStatus[], numstat: readonly NumStat[]): FileChange[] {
  return nameStatus.map((entry, index) => {
    const counts =
      numstat[index]?.path === entry.path ? numstat[index] : numstat.find((n) => n.path === entry.path);
    const additions = counts?.additions ?? 0;
    const deletions = counts?.deletions ?? 0;
    return {
      filename: entry.path,
      status: entry.status,
      additions,
      deletions,
      changes: additions + deletions,
    };
  });
}

export function pageOfChanges(files: readonly FileChange[], page: number, perPage: number): CommitChanges {
  const stats = files.reduce(
    (sum, file) => ({
      additions: sum.additions + file.additions,
      deletions: sum.deletions + file.deletions,
      total: sum.total + file.changes,
    }),
    { additions: 0, deletions: 0, total: 0 },
  );
  return { stats, files: files.slice((page - 1) * perPage, page * perPage) };
}

/**
 * GitHub's `patch` is the diff's hunks without the `diff --git`/`index`/`---`/`+++` header. A binary
 * file has no hunks, hence no patch.
 */
export function hunksOf(diff: string): string | undefined {
  const start = diff.search(/^@@ /m);
  if (start === -1) return undefined;
  return diff.slice(start).replace(/\n$/, '');
}
