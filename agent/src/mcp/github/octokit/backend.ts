import { FrontendOpsError } from '../../../errors.js';
import type {
  CommitFilesQuery,
  CommitRecord,
  CreatedTag,
  CreateTagRequest,
  FileChange,
  FileStatus,
  GitHubBackend,
  GitHubUser,
  ListCommitsQuery,
  Person,
  RepoRef,
  TagRecord,
  TagSummary,
} from '../backend.js';
import type { GitHubClient } from './client.js';
import { type ErrorContext, httpStatus, mapOctokitError } from './errors.js';

/**
 * The Octokit backend: the GitHub REST API (git database endpoints for tags: a tag object, then
 * `refs/tags/<tag>`). Every call's failure goes through mapOctokitError with the token as a secret.
 */

export interface OctokitBackendOptions {
  client: GitHubClient;
  /** Redacted from every error text (the token the client was made with). */
  secrets: readonly string[];
}

/** Annotated tags can point at tags; GitHub has no peel endpoint, so follow at most this many. */
const MAX_TAG_CHAIN = 5;

interface ApiUser {
  login?: string;
  id?: number;
  html_url?: string;
  avatar_url?: string;
}

interface ApiCommit {
  sha: string;
  html_url?: string;
  author?: ApiUser | null;
  committer?: ApiUser | null;
  parents?: Array<{ sha: string }>;
  commit: {
    message: string;
    author?: { name?: string; email?: string; date?: string } | null;
    committer?: { name?: string; email?: string; date?: string } | null;
  };
  stats?: { additions?: number; deletions?: number; total?: number };
  files?: Array<{
    filename: string;
    status?: string;
    additions?: number;
    deletions?: number;
    changes?: number;
    patch?: string;
  }>;
}

interface ApiRef {
  ref: string;
  url?: string;
  node_id?: string;
  object: { sha: string; type: string; url?: string };
}

const FILE_STATUSES: ReadonlySet<string> = new Set([
  'added',
  'removed',
  'modified',
  'renamed',
  'copied',
  'changed',
  'unchanged',
]);

function person(value: { name?: string; email?: string; date?: string } | null | undefined): Person {
  return { name: value?.name ?? '', email: value?.email ?? '', date: value?.date ?? '' };
}

function user(value: ApiUser | null | undefined): GitHubUser | null {
  if (value?.login === undefined) return null;
  return {
    login: value.login,
    id: value.id ?? 0,
    htmlUrl: value.html_url ?? '',
    avatarUrl: value.avatar_url ?? '',
  };
}

function toCommit(data: ApiCommit): CommitRecord {
  return {
    sha: data.sha,
    message: data.commit.message,
    author: person(data.commit.author),
    committer: person(data.commit.committer),
    parents: (data.parents ?? []).map((parent) => parent.sha),
    untrusted: true,
    htmlUrl: data.html_url ?? '',
    authorUser: user(data.author),
    committerUser: user(data.committer),
  };
}

function toFileChange(file: NonNullable<ApiCommit['files']>[number], patch: boolean): FileChange {
  const change: FileChange = {
    filename: file.filename,
    status: FILE_STATUSES.has(file.status ?? '') ? (file.status as FileStatus) : 'changed',
    additions: file.additions ?? 0,
    deletions: file.deletions ?? 0,
    changes: file.changes ?? 0,
  };
  return patch && file.patch !== undefined ? { ...change, patch: file.patch } : change;
}

function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0]!;
  for (const name of names) {
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

export function createOctokitBackend(options: OctokitBackendOptions): GitHubBackend {
  const { client, secrets } = options;

  async function call<T>(context: Omit<ErrorContext, 'secrets'>, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw mapOctokitError(error, { ...context, secrets });
    }
  }

  const slug = (repo: RepoRef) => `${repo.owner}/${repo.repo}`;

  const commitNotFound = (repo: RepoRef, sha: string) => (detail: string) =>
    new FrontendOpsError('COMMIT_NOT_FOUND', `no commit ${sha} in ${slug(repo)} (GitHub: ${detail})`, {
      hint: 'Check the sha with `git log`. If the repository is private, check that the token can see it.',
      data: { sha },
    });

  /** All `refs/tags/<prefix>…` refs (GitHub paginates with Link headers; octokit follows them). */
  async function tagRefs(repo: RepoRef, prefix: string): Promise<ApiRef[]> {
    return call({ what: `list tags of ${slug(repo)}` }, () =>
      client.paginate(client.git.listMatchingRefs, { ...repo, ref: `tags/${prefix}`, per_page: 100 }),
    );
  }

  /** Follows annotated tag objects to the commit. Returns the first tag object's data, if any. */
  async function peel(repo: RepoRef, name: string, object: { sha: string; type: string }) {
    let current = object;
    let first:
      | { tagger: Person; message: string; tagObject: NonNullable<TagRecord['tagObject']> }
      | undefined;
    for (let depth = 0; current.type === 'tag'; depth += 1) {
      if (depth >= MAX_TAG_CHAIN) return { commit: undefined, first };
      const { data } = await call({ what: `read tag ${name} of ${slug(repo)}` }, () =>
        client.git.getTag({ ...repo, tag_sha: current.sha }),
      );
      first ??= {
        tagger: person(data.tagger),
        message: data.message,
        tagObject: {
          sha: data.sha,
          url: data.url,
          ...(data.node_id === undefined ? {} : { nodeId: data.node_id }),
          object: { type: data.object.type, sha: data.object.sha, url: data.object.url },
          ...(data.verification === undefined
            ? {}
            : { verification: { verified: data.verification.verified, reason: data.verification.reason } }),
        },
      };
      current = data.object;
    }
    return { commit: current.type === 'commit' ? current.sha : undefined, first };
  }

  /** The ref `refs/tags/<tag>`, or undefined when it does not exist. */
  async function tagRef(repo: RepoRef, tag: string): Promise<ApiRef | undefined> {
    try {
      return (await client.git.getRef({ ...repo, ref: `tags/${tag}` })).data;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw mapOctokitError(error, { what: `read tag ${tag} of ${slug(repo)}`, secrets });
    }
  }

  async function existingTagCommit(repo: RepoRef, tag: string): Promise<{ sha: string } | undefined> {
    const ref = await tagRef(repo, tag);
    if (ref === undefined) return undefined;
    return { sha: (await peel(repo, tag, ref.object)).commit ?? ref.object.sha };
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
    kind: 'octokit',
    openWorld: true,

    async listCommits(query: ListCommitsQuery): Promise<CommitRecord[]> {
      const repo = { owner: query.owner, repo: query.repo };
      try {
        const { data } = await client.repos.listCommits({
          ...repo,
          ...(query.sha === undefined ? {} : { sha: query.sha }),
          ...(query.path === undefined ? {} : { path: query.path }),
          ...(query.author === undefined ? {} : { author: query.author }),
          ...(query.since === undefined ? {} : { since: query.since }),
          ...(query.until === undefined ? {} : { until: query.until }),
          per_page: query.perPage,
          page: query.page,
        });
        return (data as ApiCommit[]).map(toCommit);
      } catch (error) {
        // 409 "Git Repository is empty.": no commits yet.
        if (httpStatus(error) === 409) return [];
        throw mapOctokitError(error, {
          what: `list commits of ${slug(repo)}`,
          secrets,
          ...(query.sha === undefined
            ? {}
            : { notFound: commitNotFound(repo, query.sha), notFoundStatuses: [422] }),
        });
      }
    },

    async getCommit(repo: RepoRef, sha: string, files?: CommitFilesQuery): Promise<CommitRecord> {
      const { data } = await call(
        {
          what: `read commit ${sha} of ${slug(repo)}`,
          notFound: commitNotFound(repo, sha),
          notFoundStatuses: [422],
        },
        // The API pages the commit's files; the stats always cover the whole commit.
        () =>
          client.repos.getCommit({
            ...repo,
            ref: sha,
            ...(files === undefined ? {} : { page: files.page, per_page: files.perPage }),
          }),
      );
      const apiCommit = data as ApiCommit;
      const commit = toCommit(apiCommit);
      if (files === undefined) return commit;
      return {
        ...commit,
        changes: {
          stats: {
            additions: apiCommit.stats?.additions ?? 0,
            deletions: apiCommit.stats?.deletions ?? 0,
            total: apiCommit.stats?.total ?? 0,
          },
          files: (apiCommit.files ?? []).map((file) => toFileChange(file, files.patch)),
        },
      };
    },

    async listTagNames(repo: RepoRef, prefix: string): Promise<string[]> {
      return (await tagRefs(repo, prefix))
        .map((ref) => ref.ref.replace(/^refs\/tags\//, ''))
        .filter((name) => name.startsWith(prefix));
    },

    async describeTags(repo: RepoRef, names: readonly string[]): Promise<TagSummary[]> {
      if (names.length === 0) return [];
      // One listing for the page: every name shares at least their common prefix.
      const refs = new Map(
        (await tagRefs(repo, commonPrefix(names))).map((ref) => [ref.ref.replace(/^refs\/tags\//, ''), ref]),
      );
      const described = await Promise.all(
        names.map(async (name): Promise<TagSummary | undefined> => {
          const ref = refs.get(name);
          if (ref === undefined) return undefined;
          const { commit } = await peel(repo, name, ref.object);
          return commit === undefined
            ? undefined
            : { name, sha: commit, annotated: ref.object.type === 'tag' };
        }),
      );
      return described.filter((tag): tag is TagSummary => tag !== undefined);
    },

    async getTag(repo: RepoRef, tag: string): Promise<TagRecord> {
      const ref = await tagRef(repo, tag);
      if (ref === undefined) {
        throw new FrontendOpsError('TAG_NOT_FOUND', `no tag ${tag} in ${slug(repo)}`, {
          hint: '`frontendops history` lists the deploy tags; `git tag -l` lists every tag.',
          data: { tag },
        });
      }
      const { commit, first } = await peel(repo, tag, ref.object);
      if (commit === undefined) {
        throw new FrontendOpsError('GITHUB_ERROR', `tag ${tag} does not point at a commit`, {
          data: { tag },
        });
      }
      return {
        name: tag,
        sha: commit,
        annotated: first !== undefined,
        tagger: first?.tagger ?? null,
        message: first?.message ?? '',
        untrusted: true,
        ref: {
          ...(ref.url === undefined ? {} : { url: ref.url }),
          ...(ref.node_id === undefined ? {} : { nodeId: ref.node_id }),
          object: { type: ref.object.type, sha: ref.object.sha, url: ref.object.url },
        },
        ...(first === undefined ? {} : { tagObject: first.tagObject }),
      };
    },

    async createTag(request: CreateTagRequest): Promise<CreatedTag> {
      const repo = { owner: request.owner, repo: request.repo };
      const existing = await existingTagCommit(repo, request.tag);
      if (existing !== undefined) return settleExisting(request, existing);
      await call(
        {
          what: `read commit ${request.sha} of ${slug(repo)}`,
          notFound: commitNotFound(repo, request.sha),
          notFoundStatuses: [422],
        },
        () => client.git.getCommit({ ...repo, commit_sha: request.sha }),
      );
      const { data: tagObject } = await call(
        {
          what: `create tag ${request.tag} in ${slug(repo)}`,
          notFound: commitNotFound(repo, request.sha),
          notFoundStatuses: [422],
        },
        () =>
          client.git.createTag({
            ...repo,
            tag: request.tag,
            message: request.message,
            object: request.sha,
            type: 'commit',
          }),
      );
      try {
        await client.git.createRef({ ...repo, ref: `refs/tags/${request.tag}`, sha: tagObject.sha });
      } catch (error) {
        // 422 "Reference already exists" (or 409): someone created the name since our check. The tag
        // object we made is unreferenced and GitHub collects it.
        const status = httpStatus(error);
        if (status === 422 || status === 409) {
          const after = await existingTagCommit(repo, request.tag);
          if (after !== undefined) return settleExisting(request, after);
        }
        throw mapOctokitError(error, {
          what: `create ref refs/tags/${request.tag} in ${slug(repo)}`,
          secrets,
        });
      }
      return { name: request.tag, sha: request.sha, created: true };
    },
  };
}
