import { FrontendOpsError } from '../../../../agent/src/errors.js';
import type {
  Commit,
  CreatedTag,
  CreateTagRequest,
  GitHubBackend,
  ListCommitsQuery,
  RepoRef,
  TagDetail,
  TagSummary,
} from '../../../../agent/src/mcp/github/backend.js';

/**
 * An in-memory GitHubBackend for unit tests of the tools and of deploy-tag naming: commits are a list
 * (newest first), tags a map; createTag is atomic per name like git's ref lock and GitHub's createRef.
 * It records every createTag call so tests can see what was attempted.
 */
export interface FakeTag {
  sha: string;
  message: string | undefined;
}

export class FakeBackend implements GitHubBackend {
  readonly kind = 'git' as const;
  readonly openWorld: boolean;
  readonly commits: Commit[];
  readonly tags = new Map<string, FakeTag>();
  readonly createCalls: string[] = [];
  /** Runs before each createTag writes: lets a test simulate a racing deploy taking the name first. */
  beforeCreate: ((tag: string) => void) | undefined;

  constructor(commits: Commit[], openWorld = false) {
    this.commits = commits;
    this.openWorld = openWorld;
  }

  async listCommits(query: ListCommitsQuery): Promise<Commit[]> {
    const start = (query.page - 1) * query.perPage;
    return this.commits.slice(start, start + query.perPage);
  }

  async getCommit(_repo: RepoRef, sha: string): Promise<Commit> {
    const commit = this.commits.find((candidate) => candidate.sha === sha || candidate.sha.startsWith(sha));
    if (commit === undefined) throw new FrontendOpsError('COMMIT_NOT_FOUND', `no commit ${sha}`);
    return commit;
  }

  async listTagNames(_repo: RepoRef, prefix: string): Promise<string[]> {
    return [...this.tags.keys()].filter((name) => name.startsWith(prefix));
  }

  async describeTags(_repo: RepoRef, names: readonly string[]): Promise<TagSummary[]> {
    return names.flatMap((name) => {
      const tag = this.tags.get(name);
      return tag === undefined ? [] : [{ name, sha: tag.sha, annotated: tag.message !== undefined }];
    });
  }

  async getTag(_repo: RepoRef, name: string): Promise<TagDetail> {
    const tag = this.tags.get(name);
    if (tag === undefined) throw new FrontendOpsError('TAG_NOT_FOUND', `no tag ${name}`);
    return {
      name,
      sha: tag.sha,
      annotated: tag.message !== undefined,
      tagger:
        tag.message === undefined
          ? null
          : { name: 'Tagger', email: 't@example.test', date: '2026-01-01T00:00:00Z' },
      message: tag.message ?? '',
      untrusted: true,
    };
  }

  async createTag(request: CreateTagRequest): Promise<CreatedTag> {
    this.createCalls.push(request.tag);
    if (!this.commits.some((commit) => commit.sha === request.sha)) {
      throw new FrontendOpsError('COMMIT_NOT_FOUND', `no commit ${request.sha}`);
    }
    this.beforeCreate?.(request.tag);
    const existing = this.tags.get(request.tag);
    if (existing !== undefined) {
      if (existing.sha === request.sha) return { name: request.tag, sha: request.sha, created: false };
      throw new FrontendOpsError('TAG_CONFLICT', `tag ${request.tag} points elsewhere`);
    }
    this.tags.set(request.tag, { sha: request.sha, message: request.message });
    return { name: request.tag, sha: request.sha, created: true };
  }
}

export function fakeCommit(sha: string, message: string): Commit {
  const person = { name: 'Author', email: 'author@example.test', date: '2026-01-01T00:00:00Z' };
  return { sha, message, author: person, committer: person, parents: [], untrusted: true };
}
