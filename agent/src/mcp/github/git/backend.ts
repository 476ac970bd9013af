import { FrontendOpsError } from '../../../errors.js';
import type {
  Commit,
  CommitChanges,
  CommitFilesQuery,
  CommitRecord,
  CreatedTag,
  CreateTagRequest,
  FileChange,
  GitHubBackend,
  ListCommitsQuery,
  RepoRef,
  TagRecord,
  TagSummary,
} from '../backend.js';
import { commitChanges, hunksOf, pageOfChanges, parseNameStatusZ, parseNumstatZ } from './changes.js';
import {
  COMMIT_LOG_FORMAT,
  parseCommitLog,
  parseTagObject,
  parseTagRefs,
  TAG_REF_FORMAT,
  type TagRef,
} from './parse.js';
import { createGitRunner, GitCommandError, type GitRunner } from './run-git.js';

/**
 * The git backend: one local repository (a clone the team tags and pushes, or the sandbox's scratch
 * repository). `owner` and `repo` are validated by the tools but do not select anything here. Every
 * command is an argument array with `--end-of-options` / `--` before user-derived values, and those
 * values were validated before they got here.
 */

export interface GitIdentity {
  name: string;
  email: string;
}

/** Used as tagger only when neither git config nor the environment names one. */
export const FALLBACK_TAGGER: GitIdentity = { name: 'FrontendOps', email: 'frontendops@localhost' };

export interface GitBackendOptions {
  repoPath: string;
  /** Default: `git` run with execFile in `repoPath`. */
  run?: GitRunner;
  /** Tag dates; default the system clock. */
  now?: () => Date;
  /** Tagger for created tags; default: git config (`user.name`/`user.email`), else FALLBACK_TAGGER. */
  tagger?: GitIdentity;
  /** Environment consulted for GIT_COMMITTER_* (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Waits between checks while another process holds a tag's ref lock; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/** A file's patch above this size is left out, as GitHub leaves out the patches of large diffs. */
const MAX_PATCH_BYTES = 1024 * 1024;

/** How long a loser of git's ref lock waits for the winner's ref: 25 ms, 50 ms, … (about 1.4 s in all). */
const LOCK_WAIT_ATTEMPTS = 10;
const LOCK_WAIT_MS = 25;

/** git failed because another process held `refs/tags/<tag>.lock`. */
function isLockContention(error: unknown): boolean {
  return (
    error instanceof GitCommandError &&
    /cannot lock ref|\.lock'?: File exists|Unable to create '.*\.lock'/i.test(error.stderr)
  );
}

function gitError(error: unknown, what: string): FrontendOpsError {
  if (error instanceof FrontendOpsError) return error;
  const detail = error instanceof GitCommandError ? error.stderr.trim().split('\n')[0] : String(error);
  return new FrontendOpsError('GIT_ERROR', `git failed to ${what}: ${detail}`, {
    hint: 'Check that FRONTENDOPS_GIT_REPO names a readable git repository and that git is installed.',
    cause: error,
  });
}

export function createGitBackend(options: GitBackendOptions): GitHubBackend {
  const run = options.run ?? createGitRunner({ repoPath: options.repoPath });
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let identity: Promise<GitIdentity | undefined> | undefined;

  async function git(
    what: string,
    args: readonly string[],
    input?: string,
    extraEnv?: Record<string, string>,
  ) {
    try {
      return await run(args, {
        ...(input === undefined ? {} : { input }),
        ...(extraEnv === undefined ? {} : { env: extraEnv }),
      });
    } catch (error) {
      throw gitError(error, what);
    }
  }

  /** The commit `revision` names, or undefined when it names none. */
  async function resolveCommit(revision: string): Promise<string | undefined> {
    try {
      const out = await run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
      return out.trim();
    } catch (error) {
      if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
      throw gitError(error, `resolve ${revision}`);
    }
  }

  /** The object `refs/tags/<tag>` points at, or undefined. */
  async function tagObject(tag: string): Promise<string | undefined> {
    try {
      return (await run(['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/tags/${tag}`])).trim();
    } catch (error) {
      if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
      throw gitError(error, `read tag ${tag}`);
    }
  }

  async function readConfig(key: string): Promise<string | undefined> {
    try {
      const value = (await run(['config', '--get', key])).trim();
      return value === '' ? undefined : value;
    } catch (error) {
      if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
      throw gitError(error, `read git config ${key}`);
    }
  }

  /** An explicit tagger, or undefined when git will find a complete identity itself. */
  async function resolveIdentity(): Promise<GitIdentity | undefined> {
    if (options.tagger !== undefined) return options.tagger;
    if (env.GIT_COMMITTER_NAME && env.GIT_COMMITTER_EMAIL) return undefined;
    const [name, email] = await Promise.all([readConfig('user.name'), readConfig('user.email')]);
    return name !== undefined && email !== undefined ? undefined : FALLBACK_TAGGER;
  }

  async function allTagRefs(): Promise<TagRef[]> {
    return parseTagRefs(await git('list tags', ['for-each-ref', `--format=${TAG_REF_FORMAT}`, 'refs/tags']));
  }

  async function logCommits(args: readonly string[]): Promise<Commit[]> {
    return parseCommitLog(
      await git('read commits', ['--literal-pathspecs', 'log', `--format=${COMMIT_LOG_FORMAT}`, ...args]),
    );
  }

  /** The commit's diff against its first parent (the whole tree for a root commit), as GitHub lists it. */
  async function changesOf(commit: Commit, files: CommitFilesQuery): Promise<CommitChanges> {
    // A root commit is diffed against the empty tree (`--root`, an option: before --end-of-options).
    const root = commit.parents[0] === undefined ? ['--root'] : [];
    const range = commit.parents[0] === undefined ? [commit.sha] : [commit.parents[0], commit.sha];
    const diff = (format: string) =>
      git(`read the changes of ${commit.sha}`, [
        '--literal-pathspecs',
        'diff-tree',
        '-r',
        '-z',
        '-M',
        '--no-commit-id',
        '--no-ext-diff',
        ...root,
        format,
        '--end-of-options',
        ...range,
      ]);
    const [nameStatus, numstat] = await Promise.all([diff('--name-status'), diff('--numstat')]);
    const entries = parseNameStatusZ(nameStatus);
    const all = commitChanges(entries, parseNumstatZ(numstat));
    const page = pageOfChanges(all, files.page, files.perPage);
    if (!files.patch) return page;
    const withPatches: FileChange[] = [];
    for (const file of page.files) {
      const entry = entries.find((e) => e.path === file.filename);
      const paths = [entry?.previousPath, file.filename].filter((p): p is string => p !== undefined);
      const text = await git(`read the patch of ${file.filename}`, [
        '--literal-pathspecs',
        'diff-tree',
        '-p',
        '-M',
        '--no-color',
        '--no-ext-diff',
        '--no-commit-id',
        ...root,
        '--end-of-options',
        ...range,
        '--',
        ...paths,
      ]);
      const patch = text.length > MAX_PATCH_BYTES ? undefined : hunksOf(text);
      withPatches.push(patch === undefined ? file : { ...file, patch });
    }
    return { stats: page.stats, files: withPatches };
  }

  function commitNotFound(revision: string): FrontendOpsError {
    return new FrontendOpsError('COMMIT_NOT_FOUND', `no commit ${revision} in the repository`, {
      hint: 'Check the sha with `git log`; the local clone may need a `git fetch`.',
      data: { sha: revision },
    });
  }

  /** The commit an existing tag points at, or undefined if the tag does not exist. */
  async function existingTagCommit(tag: string): Promise<{ sha: string } | undefined> {
    const object = await tagObject(tag);
    if (object === undefined) return undefined;
    return { sha: (await resolveCommit(`refs/tags/${tag}`)) ?? object };
  }

  function settleExisting(request: CreateTagRequest, existing: { sha: string }): CreatedTag {
    if (existing.sha === request.sha) return { name: request.tag, sha: request.sha, created: false };
    throw new FrontendOpsError(
      'TAG_CONFLICT',
      `tag ${request.tag} already points at ${existing.sha}, not ${request.sha}`,
      {
        hint: 'Tags are never moved: a deploy takes the next free deploy tag (`frontendops history` lists them).',
        data: { tag: request.tag, existingSha: existing.sha, requestedSha: request.sha },
      },
    );
  }

  return {
    kind: 'git',
    openWorld: false,

    async listCommits(query: ListCommitsQuery): Promise<CommitRecord[]> {
      const start = await resolveCommit(query.sha ?? 'HEAD');
      if (start === undefined) {
        // No sha asked for and no HEAD: an empty repository has no commits.
        if (query.sha === undefined) return [];
        throw commitNotFound(query.sha);
      }
      const args = [`--max-count=${query.perPage}`, `--skip=${(query.page - 1) * query.perPage}`];
      if (query.author !== undefined)
        args.push('--regexp-ignore-case', '--fixed-strings', `--author=${query.author}`);
      if (query.since !== undefined) args.push(`--since=${query.since}`);
      if (query.until !== undefined) args.push(`--until=${query.until}`);
      args.push('--end-of-options', start, '--');
      if (query.path !== undefined) args.push(query.path);
      return logCommits(args);
    },

    async getCommit(_repo: RepoRef, revision: string, files?: CommitFilesQuery): Promise<CommitRecord> {
      const sha = await resolveCommit(revision);
      if (sha === undefined) throw commitNotFound(revision);
      const [commit] = await logCommits(['--max-count=1', '--end-of-options', sha, '--']);
      if (commit === undefined) throw commitNotFound(revision);
      return files === undefined ? commit : { ...commit, changes: await changesOf(commit, files) };
    },

    async listTagNames(_repo: RepoRef, prefix: string): Promise<string[]> {
      return (await allTagRefs()).map((ref) => ref.name).filter((name) => name.startsWith(prefix));
    },

    async describeTags(_repo: RepoRef, names: readonly string[]): Promise<TagSummary[]> {
      const byName = new Map((await allTagRefs()).map((ref) => [ref.name, ref]));
      const tags: TagSummary[] = [];
      for (const name of names) {
        const ref = byName.get(name);
        if (ref === undefined) continue;
        let sha: string | undefined;
        if (ref.objectType === 'commit') sha = ref.objectSha;
        else if (ref.objectType === 'tag' && ref.peeledType === 'commit') sha = ref.peeledSha;
        // A tag of a tag: let git peel the chain. Tags of trees or blobs are not commits: skipped.
        else if (ref.objectType === 'tag') sha = await resolveCommit(`refs/tags/${name}`);
        if (sha !== undefined) tags.push({ name, sha, annotated: ref.objectType === 'tag' });
      }
      return tags;
    },

    async getTag(_repo: RepoRef, tag: string): Promise<TagRecord> {
      const object = await tagObject(tag);
      if (object === undefined) {
        throw new FrontendOpsError('TAG_NOT_FOUND', `no tag ${tag} in the repository`, {
          hint: '`frontendops history` lists the deploy tags; `git tag -l` lists every tag.',
          data: { tag },
        });
      }
      const sha = await resolveCommit(`refs/tags/${tag}`);
      if (sha === undefined) {
        throw new FrontendOpsError('GIT_ERROR', `tag ${tag} does not point at a commit`, {
          data: { tag, object },
        });
      }
      const type = (await git(`read tag ${tag}`, ['cat-file', '-t', object])).trim();
      const ref = { object: { type, sha: object } };
      if (type !== 'tag') {
        return { name: tag, sha, annotated: false, tagger: null, message: '', untrusted: true, ref };
      }
      const parsed = parseTagObject(await git(`read tag ${tag}`, ['cat-file', 'tag', object]));
      return {
        name: tag,
        sha,
        annotated: true,
        tagger: parsed.tagger,
        message: parsed.message,
        untrusted: true,
        ref,
        tagObject: { sha: object, object: { type: parsed.type, sha: parsed.object } },
      };
    },

    async createTag(request: CreateTagRequest): Promise<CreatedTag> {
      const commit = await resolveCommit(request.sha);
      if (commit !== request.sha) throw commitNotFound(request.sha);
      const existing = await existingTagCommit(request.tag);
      if (existing !== undefined) return settleExisting(request, existing);
      identity ??= resolveIdentity();
      const tagger = await identity;
      const tagEnv: Record<string, string> = {
        GIT_COMMITTER_DATE: `${Math.floor(now().getTime() / 1000)} +0000`,
        ...(tagger === undefined
          ? {}
          : { GIT_COMMITTER_NAME: tagger.name, GIT_COMMITTER_EMAIL: tagger.email }),
      };
      try {
        // --cleanup=verbatim: keep the message exactly (the default would drop lines starting with '#').
        await run(
          [
            'tag',
            '--annotate',
            '--cleanup=verbatim',
            '--file=-',
            '--end-of-options',
            request.tag,
            request.sha,
          ],
          {
            input: request.message,
            env: tagEnv,
          },
        );
      } catch (error) {
        // Another process may have created the same name between our check and `git tag`: git's ref
        // lock let only one win. Settle against whatever is there now — once the winner has released
        // its lock, so a loser that failed on the lock file waits a moment for the ref to appear.
        for (let attempt = 0; attempt <= LOCK_WAIT_ATTEMPTS; attempt += 1) {
          const after = await existingTagCommit(request.tag);
          if (after !== undefined) return settleExisting(request, after);
          if (!isLockContention(error) || attempt === LOCK_WAIT_ATTEMPTS) break;
          await sleep(LOCK_WAIT_MS * (attempt + 1));
        }
        throw gitError(error, `create tag ${request.tag}`);
      }
      return { name: request.tag, sha: request.sha, created: true };
    },
  };
}
