import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { realEngine } from '../../../agent/src/agent/engine.js';
import type { Approval, FlowContext } from '../../../agent/src/agent/flow.js';
import { GithubTools } from '../../../agent/src/agent/github.js';
import type { Mandate } from '../../../agent/src/agent/intent.js';
import { PulumiTools } from '../../../agent/src/agent/pulumi.js';
import { type ConnectionSource, ToolLayer } from '../../../agent/src/agent/tool-layer.js';
import { AuditTrail, MemoryAuditSink } from '../../../agent/src/audit/trail.js';
import { parseConfig } from '../../../agent/src/config/load.js';
import type { StackConfig } from '../../../agent/src/config/schema.js';
import type { Trigger } from '../../../agent/src/deploy/schemas.js';
import { connectMcpServer, type McpServerConnection } from '../../../agent/src/mcp/client.js';
import { manifestOf } from '../../support/deploy-fixtures.js';
import { FakeS3 } from '../../support/fake-s3.js';

/**
 * In-memory github and pulumi MCP servers for unit tests of the agent: real MCP (SDK server and the
 * agent's real client over the SDK's linked in-memory transport), scripted state, no processes.
 */

export interface FakeCommit {
  sha: string;
  message: string;
}

export interface FakeTag {
  name: string;
  sha: string;
  message: string;
}

export interface FakeGithubState {
  commits: FakeCommit[]; // newest first
  tags: FakeTag[];
  /** Names that another deployer "creates" right before us: create_tag answers TAG_CONFLICT once. */
  stolen: Set<string>;
  calls: Array<{ tool: string; args: Record<string, unknown> }>;
}

export interface FakePulumiState {
  outputs: Record<string, unknown>;
  /** Answer like the official server: text only, `key: json` entries joined by a literal \n. */
  official: boolean;
  invalidations: Array<{ paths: string[]; wait: boolean }>;
  calls: Array<{ tool: string; args: Record<string, unknown> }>;
}

function ok(structured: Record<string, unknown>): CallToolResult {
  return { structuredContent: structured, content: [{ type: 'text', text: JSON.stringify(structured) }] };
}

function fail(code: string, message: string): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}\n${JSON.stringify({ code, message })}` }],
  };
}

const person = { name: 'Dev', email: 'dev@example.test', date: '2026-11-23T09:00:00Z' };
const repoArgs = { owner: z.string(), repo: z.string() };

export function fakeGithubServer(state: FakeGithubState, without: readonly string[] = []): McpServer {
  const real = new McpServer({ name: 'fake-github', version: '0.0.0' });
  // Tools named in `without` are not offered (a server that lacks them).
  const server = {
    registerTool: ((name: string, ...rest: unknown[]) =>
      without.includes(name)
        ? undefined
        : (real.registerTool as (...args: unknown[]) => unknown)(name, ...rest)) as McpServer['registerTool'],
  };
  const record = (tool: string, args: Record<string, unknown>) => state.calls.push({ tool, args });
  const commitOut = (c: FakeCommit) => ({
    sha: c.sha,
    message: c.message,
    author: person,
    committer: person,
    untrusted: true,
  });
  server.registerTool(
    'list_commits',
    {
      inputSchema: {
        ...repoArgs,
        sha: z.string().optional(),
        path: z.string().optional(),
        perPage: z.number().optional(),
      },
    },
    async (args) => {
      record('list_commits', args);
      return ok({ commits: state.commits.slice(0, args.perPage ?? 30).map(commitOut) });
    },
  );
  server.registerTool('get_commit', { inputSchema: { ...repoArgs, sha: z.string() } }, async (args) => {
    record('get_commit', args);
    const found = state.commits.find((c) => c.sha.startsWith(args.sha));
    return found ? ok(commitOut(found)) : fail('COMMIT_NOT_FOUND', `no commit ${args.sha}`);
  });
  server.registerTool('get_tag', { inputSchema: { ...repoArgs, tag: z.string() } }, async (args) => {
    record('get_tag', args);
    const found = state.tags.find((t) => t.name === args.tag);
    return found
      ? ok({ ...found, annotated: true, tagger: person, untrusted: true })
      : fail('TAG_NOT_FOUND', `no tag ${args.tag}`);
  });
  server.registerTool(
    'list_tags',
    { inputSchema: { ...repoArgs, prefix: z.string().optional(), perPage: z.number().optional() } },
    async (args) => {
      record('list_tags', args);
      const tags = state.tags
        .filter((t) => t.name.startsWith(args.prefix ?? ''))
        .map((t) => ({ name: t.name, sha: t.sha, annotated: true }));
      return ok({ tags: tags.reverse() });
    },
  );
  server.registerTool(
    'next_deploy_tag',
    { inputSchema: { ...repoArgs, prefix: z.string().optional(), date: z.string().optional() } },
    async (args) => {
      record('next_deploy_tag', args);
      const stamp = (args.date ?? '').replaceAll('-', '');
      const head = `${args.prefix ?? 'dashboard-deploy-'}${stamp}-`;
      const taken = state.tags
        .filter((t) => t.name.startsWith(head))
        .map((t) => Number(t.name.slice(head.length)));
      return ok({ tag: `${head}${Math.max(0, ...taken) + 1}` });
    },
  );
  server.registerTool(
    'create_tag',
    { inputSchema: { ...repoArgs, tag: z.string(), sha: z.string(), message: z.string() } },
    async (args) => {
      record('create_tag', args);
      if (state.stolen.has(args.tag)) {
        state.stolen.delete(args.tag);
        state.tags.push({ name: args.tag, sha: 'f'.repeat(40), message: 'someone else' });
        return fail('TAG_CONFLICT', `tag ${args.tag} points at another commit`);
      }
      const existing = state.tags.find((t) => t.name === args.tag);
      if (existing && existing.sha !== args.sha) return fail('TAG_CONFLICT', `tag ${args.tag} exists`);
      if (!existing) state.tags.push({ name: args.tag, sha: args.sha, message: args.message });
      return ok({ name: args.tag, sha: args.sha, created: !existing });
    },
  );
  return real;
}

export function fakePulumiServer(state: FakePulumiState): McpServer {
  const server = new McpServer({ name: 'fake-pulumi', version: '0.0.0' });
  server.registerTool(
    'pulumi-cli-stack-output',
    {
      inputSchema: {
        workDir: z.string(),
        stackName: z.string().optional(),
        outputName: z.string().optional(),
      },
    },
    async (args) => {
      state.calls.push({ tool: 'pulumi-cli-stack-output', args });
      if (state.official) {
        const body = Object.entries(state.outputs)
          .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
          .join('\\n');
        return { content: [{ type: 'text', text: `\nStack: ${args.stackName}\n\n${body}\n` }] };
      }
      return ok({ stackName: args.stackName ?? 'dev', outputs: state.outputs });
    },
  );
  // The official Pulumi MCP server has no invalidate_cdn.
  if (state.official) return server;
  server.registerTool(
    'invalidate_cdn',
    {
      inputSchema: {
        stackName: z.string(),
        paths: z.array(z.string()),
        wait: z.boolean().optional(),
        maxWaitSeconds: z.number().optional(),
      },
    },
    async (args) => {
      state.calls.push({ tool: 'invalidate_cdn', args });
      state.invalidations.push({ paths: args.paths, wait: args.wait ?? false });
      return ok({
        invalidationId: `I${state.invalidations.length}`,
        status: args.wait ? 'Completed' : 'InProgress',
        paths: args.paths,
      });
    },
  );
  return server;
}

/** Connects the agent's real MCP client to in-memory servers, by server name. */
export function inMemoryConnections(servers: Record<string, () => McpServer>): ConnectionSource & {
  closeAll(): Promise<void>;
} {
  const open = new Map<string, Promise<McpServerConnection>>();
  return {
    get(name) {
      const existing = open.get(name);
      if (existing) return existing;
      const make = servers[name];
      if (!make) return Promise.reject(new Error(`no fake server ${name}`));
      const connecting = connectMcpServer(
        name,
        { command: 'in-memory', args: [], env: {} },
        {
          agentEnv: {},
          clientInfo: { name: 'test', version: '0' },
          transport: () => {
            const [client, server] = InMemoryTransport.createLinkedPair();
            void make().connect(server);
            return client;
          },
        },
      );
      open.set(name, connecting);
      return connecting;
    },
    async closeAll() {
      await Promise.all([...open.values()].map((c) => c.then((conn) => conn.close())));
    },
  };
}

export function githubState(commits: FakeCommit[] = []): FakeGithubState {
  return { commits, tags: [], stolen: new Set(), calls: [] };
}

export function pulumiState(outputs: Record<string, unknown>, official = false): FakePulumiState {
  return { outputs, official, invalidations: [], calls: [] };
}

export function toolLayerWith(connections: ConnectionSource): { tools: ToolLayer; audit: MemoryAuditSink } {
  const audit = new MemoryAuditSink();
  const tools = new ToolLayer({
    connections,
    servers: { github: 'github', pulumi: 'pulumi' },
    trail: new AuditTrail(audit, 'req-test'),
    clock: () => 0,
  });
  return { tools, audit };
}

// ---------------------------------------------------------------------------------------------
// A whole flow context on fakes: in-memory MCP servers, the real engine over an in-memory S3.

export const ARTIFACTS = 'artifacts-1';
export const HOSTING = 'hosting-1';
export const SYNC_COMMAND = `aws s3 sync s3://${ARTIFACTS}/builds/{commit}/site/ s3://${HOSTING}/ --delete`;
export const SITE_URL = 'https://d111.cloudfront.example';
export const DISTRIBUTION = 'E2ABCDEF123456';

export function siteFiles(commit: string, label: string): Record<string, string> {
  return {
    'index.html': `<html><title>${label}</title><script src="/assets/app-${label}00aa.js"></script></html>`,
    [`assets/app-${label}00aa.js`]: `console.log(${JSON.stringify(label)})`,
    'version.json': JSON.stringify({ commit, builtAt: '2026-11-23T09:00:00Z' }),
  };
}

/** Puts a complete build (files, then build.json) for `commit` into the fake artifacts bucket. */
export function publishFake(s3: FakeS3, commit: string, label: string): void {
  const files = siteFiles(commit, label);
  const manifest = manifestOf(commit, files);
  for (const file of manifest.files) {
    s3.put(ARTIFACTS, `builds/${commit}/site/${file.path}`, files[file.path] ?? '', {
      contentType: file.contentType,
      cacheControl: file.cacheControl,
    });
  }
  s3.put(ARTIFACTS, `builds/${commit}/build.json`, JSON.stringify(manifest));
}

export interface FlowHarness {
  ctx: FlowContext;
  s3: FakeS3;
  github: FakeGithubState;
  pulumi: FakePulumiState;
  audit: MemoryAuditSink;
  direct: Array<{ distributionId: string; paths: readonly string[] }>;
  close(): Promise<void>;
}

export interface FlowHarnessOptions {
  commits?: FakeCommit[];
  outputs?: Record<string, unknown>;
  officialPulumi?: boolean;
  /** Tools the github server does not offer. */
  githubWithout?: string[];
  approval?: Approval;
  autoApprove?: boolean;
  trigger?: Trigger;
  now?: () => Date;
  /** What the request allows (default: a structured request, which allows what it asks). */
  mandate?: Mandate;
}

export function flowHarness(options: FlowHarnessOptions = {}): FlowHarness {
  const config = parseConfig({
    stacks: [
      {
        name: 'dashboard-hosting-prod',
        backend: { kind: 'state', url: 'file:///tmp/state' },
        autoApprove: options.autoApprove ?? false,
      },
    ],
    github: { owner: 'sophia-ai', repo: 'sophia' },
    lockTtlSeconds: 60,
  });
  const stack = config.stacks[0] as StackConfig;
  const s3 = new FakeS3([ARTIFACTS, HOSTING]);
  const github = githubState(options.commits ?? []);
  const pulumi = pulumiState(
    options.outputs ?? {
      syncCommand: SYNC_COMMAND,
      artifactsBucket: ARTIFACTS,
      hostingBucket: HOSTING,
      url: SITE_URL,
      distributionId: DISTRIBUTION,
    },
    options.officialPulumi ?? false,
  );
  const connections = inMemoryConnections({
    github: () => fakeGithubServer(github, options.githubWithout),
    pulumi: () => fakePulumiServer(pulumi),
  });
  const audit = new MemoryAuditSink();
  const trail = new AuditTrail(audit, 'req-flow');
  const tools = new ToolLayer({
    connections,
    servers: { github: 'github', pulumi: 'pulumi' },
    trail,
    clock: () => 0,
  });
  const direct: FlowHarness['direct'] = [];
  let t = Date.parse('2026-11-23T10:00:00Z');
  const ctx: FlowContext = {
    config,
    stack,
    tools,
    github: new GithubTools(tools, config.github),
    pulumi: new PulumiTools(tools, { name: stack.name, workDir: '/repo/stacks/dashboard-hosting-prod' }),
    s3: s3.client,
    engine: realEngine,
    now:
      options.now ??
      (() => {
        t += 1000;
        return new Date(t);
      }),
    requester: 'alice',
    trigger: options.trigger ?? 'cli',
    approval: options.approval ?? { yes: true },
    mandate: options.mandate ?? { kind: 'explicit' },
    directInvalidator: async (distributionId) => ({
      invalidate: async (paths) => {
        direct.push({ distributionId, paths });
        return { invalidationId: `D${direct.length}`, status: 'Completed', paths: [...paths] };
      },
    }),
    // The edge: serves the fake hosting bucket (a folder URL serves its index.html), as CloudFront in
    // front of the sandbox does; the flow's health check and version.json check read it.
    fetch: (async (input: string | URL | Request) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      let key = decodeURIComponent(url.pathname.replace(/^\//, ''));
      if (key === '' || key.endsWith('/')) key += 'index.html';
      const object = s3.bucket(HOSTING).get(key);
      if (object === undefined) return new Response('Not Found', { status: 404 });
      return new Response(new Uint8Array(object.body), {
        status: 200,
        headers: { 'content-type': object.contentType ?? 'application/octet-stream' },
      });
    }) as typeof fetch,
  };
  return { ctx, s3, github, pulumi, audit, direct, close: () => connections.closeAll() };
}
