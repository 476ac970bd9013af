import { createHash } from 'node:crypto';
import { type HttpHandler, HttpResponse, http } from 'msw';

/**
 * A small, stateful imitation of the GitHub REST endpoints the Octokit backend uses, for msw. Bodies,
 * status codes and messages follow GitHub's (`{ message, documentation_url, status }` errors, Link
 * header pagination, `Bad credentials` on a wrong token, 422 `Reference already exists`, 422
 * `No commit found for SHA`). It records every request so tests can assert what was (not) sent.
 */

export interface FakeCommit {
  sha: string;
  message: string;
  files: string[];
  date: string;
  parents: string[];
  /** The GitHub account GitHub matched the author's e-mail to, if any. */
  login?: string;
}

interface TagObject {
  tag: string;
  message: string;
  tagger: { name: string; email: string; date: string };
  object: { sha: string; type: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | null;
}

const DOCS = 'https://docs.github.com/rest';

export function githubError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ message, documentation_url: DOCS, status: String(status) }, { status, headers });
}

function fakeSha(content: string): string {
  return createHash('sha1').update(content).digest('hex');
}

function decode(value: unknown): string {
  const text = String(value);
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `<url?page=2>; rel="next", <url?page=5>; rel="last"` as GitHub sends it. */
function linkHeader(url: URL, page: number, lastPage: number): string | undefined {
  const links: string[] = [];
  const at = (n: number) => {
    const next = new URL(url);
    next.searchParams.set('page', String(n));
    return next.toString();
  };
  if (page < lastPage) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(lastPage)}>; rel="last"`);
  if (page > 1) links.push(`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`);
  return links.length === 0 ? undefined : links.join(', ');
}

function paginate<T>(
  items: T[],
  url: URL,
  defaultPerPage = 30,
): { body: T[]; headers: Record<string, string> } {
  const perPage = Number(url.searchParams.get('per_page') ?? defaultPerPage);
  const page = Number(url.searchParams.get('page') ?? 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const link = linkHeader(url, page, lastPage);
  return {
    body: items.slice((page - 1) * perPage, page * perPage),
    headers: link === undefined ? {} : { link },
  };
}

export class FakeGitHub {
  readonly baseUrl: string;
  readonly owner: string;
  readonly repo: string;
  readonly token: string;
  /** Newest first, like the API. */
  readonly commits: FakeCommit[] = [];
  readonly refs = new Map<string, { sha: string; type: 'commit' | 'tag' }>();
  readonly tagObjects = new Map<string, TagObject>();
  readonly requests: RecordedRequest[] = [];

  constructor(options: { baseUrl?: string; owner?: string; repo?: string; token: string }) {
    this.baseUrl = options.baseUrl ?? 'https://api.github.com';
    this.owner = options.owner ?? 'sophia-ai';
    this.repo = options.repo ?? 'sophia';
    this.token = options.token;
  }

  addCommit(message: string, files: string[], login?: string): string {
    const parent = this.commits[0]?.sha;
    const date = new Date(Date.UTC(2026, 0, 1, 0, this.commits.length)).toISOString().replace('.000Z', 'Z');
    const sha = fakeSha(`${message}${files.join()}${date}${parent ?? ''}`);
    this.commits.unshift({
      sha,
      message,
      files,
      date,
      parents: parent === undefined ? [] : [parent],
      ...(login === undefined ? {} : { login }),
    });
    return sha;
  }

  addLightweightTag(name: string, sha: string): void {
    this.refs.set(`refs/tags/${name}`, { sha, type: 'commit' });
  }

  addAnnotatedTag(name: string, sha: string, message: string): string {
    const tagSha = fakeSha(`tag ${name} ${sha} ${message}`);
    this.tagObjects.set(tagSha, {
      tag: name,
      message,
      tagger: { name: 'Release Bot', email: 'bot@example.test', date: '2026-01-02T03:04:05Z' },
      object: { sha, type: 'commit' },
    });
    this.refs.set(`refs/tags/${name}`, { sha: tagSha, type: 'tag' });
    return tagSha;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }

  private apiCommit(commit: FakeCommit) {
    const person = { name: 'Author', email: 'author@example.test', date: commit.date };
    return {
      sha: commit.sha,
      node_id: `C_${commit.sha.slice(0, 8)}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/commit/${commit.sha}`,
      commit: {
        author: person,
        committer: person,
        message: commit.message,
        tree: { sha: fakeSha(`tree${commit.sha}`) },
      },
      author: commit.login === undefined ? null : this.apiUser(commit.login),
      committer: commit.login === undefined ? null : this.apiUser(commit.login),
      parents: commit.parents.map((sha) => ({
        sha,
        url: `${this.baseUrl}/repos/${this.owner}/${this.repo}/commits/${sha}`,
      })),
    };
  }

  private apiUser(login: string) {
    const id = Number.parseInt(fakeSha(login).slice(0, 6), 16);
    return {
      login,
      id,
      node_id: `U_${id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      html_url: `https://github.com/${login}`,
      type: 'User',
      site_admin: false,
    };
  }

  /** GET /commits/:ref answers the commit with its stats and one page of files (every file adds a line). */
  private apiCommitWithFiles(commit: FakeCommit, url: URL) {
    const files = commit.files.map((filename) => ({
      sha: fakeSha(`blob${filename}${commit.sha}`),
      filename,
      status: 'modified',
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `https://github.com/${this.owner}/${this.repo}/blob/${commit.sha}/${filename}`,
      patch: `@@ -1 +1,2 @@\n line\n+${commit.message.split('\n')[0]}`,
    }));
    const { body, headers } = paginate(files, url, 300);
    return {
      body: {
        ...this.apiCommit(commit),
        stats: { total: files.length, additions: files.length, deletions: 0 },
        files: body,
      },
      headers,
    };
  }

  private apiRef(name: string, object: { sha: string; type: string }) {
    return {
      ref: name,
      node_id: `REF_${name}`,
      url: `${this.baseUrl}/repos/${this.owner}/${this.repo}/git/${name}`,
      object: {
        ...object,
        url: `${this.baseUrl}/repos/${this.owner}/${this.repo}/git/${object.type}s/${object.sha}`,
      },
    };
  }

  /** Records the request and answers 401 / 404 like GitHub before any handler logic. */
  private gate(request: Request, params: Record<string, unknown>): Response | undefined {
    const url = new URL(request.url);
    const authorization = request.headers.get('authorization');
    this.requests.push({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      authorization,
    });
    if (authorization !== `token ${this.token}` && authorization !== `bearer ${this.token}`) {
      return githubError(401, 'Bad credentials');
    }
    if (params.owner !== this.owner || params.repo !== this.repo) return githubError(404, 'Not Found');
    return undefined;
  }

  handlers(): HttpHandler[] {
    const repoPath = `${this.baseUrl}/repos/:owner/:repo`;
    return [
      http.get(`${repoPath}/commits`, ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const url = new URL(request.url);
        if (this.commits.length === 0) return githubError(409, 'Git Repository is empty.');
        let commits = this.commits;
        const sha = url.searchParams.get('sha');
        if (sha !== null) {
          const start = commits.findIndex((commit) => commit.sha.startsWith(sha));
          if (start === -1) return githubError(404, 'Not Found');
          commits = commits.slice(start);
        }
        const path = url.searchParams.get('path');
        if (path !== null)
          commits = commits.filter((commit) => commit.files.some((file) => file.startsWith(path)));
        const { body, headers } = paginate(
          commits.map((commit) => this.apiCommit(commit)),
          url,
        );
        return HttpResponse.json(body, { headers });
      }),

      http.get(`${repoPath}/commits/:ref`, ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const ref = decode(params.ref);
        const commit = this.commits.find((candidate) => candidate.sha.startsWith(ref));
        if (commit === undefined) return githubError(422, `No commit found for SHA: ${ref}`);
        const { body, headers } = this.apiCommitWithFiles(commit, new URL(request.url));
        return HttpResponse.json(body, { headers });
      }),

      http.get(`${repoPath}/git/commits/:sha`, ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const commit = this.commits.find((candidate) => candidate.sha === params.sha);
        if (commit === undefined) return githubError(404, 'Not Found');
        return HttpResponse.json({ sha: commit.sha, message: commit.message, parents: [] });
      }),

      http.get(`${repoPath}/git/matching-refs/:ref`, ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const prefix = `refs/${decode(params.ref)}`;
        const matching = [...this.refs.entries()]
          .filter(([name]) => name.startsWith(prefix))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, object]) => this.apiRef(name, object));
        const { body, headers } = paginate(matching, new URL(request.url));
        return HttpResponse.json(body, { headers });
      }),

      http.get(`${repoPath}/git/ref/:ref`, ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const name = `refs/${decode(params.ref)}`;
        const object = this.refs.get(name);
        if (object === undefined) return githubError(404, 'Not Found');
        return HttpResponse.json(this.apiRef(name, object));
      }),

      http.get(`${repoPath}/git/tags/:sha`, ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const tag = this.tagObjects.get(String(params.sha));
        if (tag === undefined) return githubError(404, 'Not Found');
        const api = `${this.baseUrl}/repos/${this.owner}/${this.repo}/git`;
        return HttpResponse.json({
          sha: params.sha,
          node_id: `TAG_${params.sha}`,
          url: `${api}/tags/${params.sha}`,
          ...tag,
          object: { ...tag.object, url: `${api}/${tag.object.type}s/${tag.object.sha}` },
          verification: {
            verified: false,
            reason: 'unsigned',
            signature: null,
            payload: null,
            verified_at: null,
          },
        });
      }),

      http.post(`${repoPath}/git/tags`, async ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const body = (await request.json()) as { tag: string; message: string; object: string; type: string };
        if (!this.commits.some((commit) => commit.sha === body.object))
          return githubError(422, 'Object does not exist');
        const sha = fakeSha(`tag ${body.tag} ${body.object} ${body.message} ${this.tagObjects.size}`);
        const tag: TagObject = {
          tag: body.tag,
          message: body.message,
          tagger: { name: 'Token Owner', email: 'owner@example.test', date: '2026-03-09T12:00:00Z' },
          object: { sha: body.object, type: body.type },
        };
        this.tagObjects.set(sha, tag);
        return HttpResponse.json({ sha, node_id: `TAG_${sha}`, ...tag }, { status: 201 });
      }),

      http.post(`${repoPath}/git/refs`, async ({ request, params }) => {
        const denied = this.gate(request, params);
        if (denied) return denied;
        const body = (await request.json()) as { ref: string; sha: string };
        if (this.refs.has(body.ref)) return githubError(422, 'Reference already exists');
        const type = this.tagObjects.has(body.sha) ? 'tag' : 'commit';
        this.refs.set(body.ref, { sha: body.sha, type });
        return HttpResponse.json(this.apiRef(body.ref, { sha: body.sha, type }), { status: 201 });
      }),
    ];
  }
}
