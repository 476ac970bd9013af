import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parseAst } from 'rolldown/parseAst';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientSnippet, clientSnippets, snippetServers } from '../../support/doc-snippets.js';
import {
  AGENT,
  INSPECTOR,
  type InstalledPackage,
  outsideEnv,
  packAndInstall,
  runFrom,
} from '../../support/installed-package.js';

/**
 * Issue 12 §1: the agent as the package users install. `npm pack` the workspace, `npm install -g` the
 * tarball into an empty prefix outside the repository, and drive it from `/` with an environment that
 * cannot see this repository (PATH: the prefix's bin, Node, the system): the CLI, a sandbox it starts,
 * both MCP servers and `frontendops mcp` through the MCP Inspector CLI, and every MCP client snippet of
 * the docs, started exactly as written with the installed bins.
 */

const ROOT = join(AGENT, '..');
const BINS = ['frontendops', 'frontendops-pulumi-mcp', 'frontendops-github-mcp'] as const;
/** The one tool each bin must list, whatever else it offers. */
const EXPECTED_TOOL: Record<(typeof BINS)[number], string> = {
  frontendops: 'deploy_dashboard',
  'frontendops-pulumi-mcp': 'pulumi-cli-stack-output',
  'frontendops-github-mcp': 'list_commits',
};

interface SandboxInfo {
  configPath: string;
  repoPath: string;
  hostingBucket: string;
  pulumiBackendUrl: string;
}

interface ServerEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

let dir: string;
let pkg: InstalledPackage;
let env: Record<string, string>;
let sandboxProcess: ChildProcess | undefined;
let info: SandboxInfo;
let sandboxDir: string;
let entries: Record<'pulumi' | 'github', ServerEntry>;

/** Starts `frontendops sandbox start --json` from `/` and resolves with its one JSON line. */
function startSandbox(): Promise<SandboxInfo> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(pkg.bin, 'frontendops'), ['sandbox', 'start', '--dir', sandboxDir, '--json'], {
      cwd: '/',
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sandboxProcess = child;
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) resolve(JSON.parse(line) as SandboxInfo);
    });
    child.on('exit', (code) => reject(new Error(`sandbox start exited with ${code}: ${stderr}`)));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fo-package-'));
  pkg = await packAndInstall(dir);
  env = outsideEnv(pkg.bin);
  sandboxDir = join(dir, 'sandbox');
  info = await startSandbox();
  const config = JSON.parse(await readFile(info.configPath, 'utf8')) as {
    mcpServers: Record<'pulumi' | 'github', ServerEntry>;
  };
  entries = config.mcpServers;
}, 600_000);

afterAll(async () => {
  if (sandboxProcess && sandboxProcess.exitCode === null) {
    const exited = new Promise((resolve) => sandboxProcess?.once('exit', resolve));
    sandboxProcess.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function listFiles(root: string, under = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, under), { withFileTypes: true })) {
    const path = under === '' ? entry.name : `${under}/${entry.name}`;
    if (entry.isDirectory()) {
      if (path !== 'node_modules') found.push(...(await listFiles(root, path)));
    } else found.push(path);
  }
  return found;
}

/** A string a module names another by: a literal, or a template literal without expressions. */
function literal(node: unknown): string | undefined {
  const n = node as {
    type?: string;
    value?: unknown;
    expressions?: unknown[];
    quasis?: Array<{ value: { cooked: string } }>;
  };
  if (n?.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n?.type === 'TemplateLiteral' && n.expressions?.length === 0) return n.quasis?.[0]?.value.cooked;
  return undefined;
}

/**
 * Every module a shipped file loads (static and dynamic imports, `export … from`, `require` of bundled
 * CommonJS), read from its syntax tree rather than guessed from text. Bare specifiers only.
 */
function bareImports(code: string, file: string): string[] {
  const specs = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as {
      type?: string;
      source?: unknown;
      callee?: { type?: string; name?: string };
      arguments?: unknown[];
    };
    let spec: string | undefined;
    if (
      n.type === 'ImportDeclaration' ||
      n.type === 'ExportAllDeclaration' ||
      n.type === 'ExportNamedDeclaration' ||
      n.type === 'ImportExpression'
    ) {
      spec = literal(n.source);
    } else if (
      n.type === 'CallExpression' &&
      n.callee?.type === 'Identifier' &&
      n.callee.name === 'require'
    ) {
      spec = literal(n.arguments?.[0]);
    }
    if (spec !== undefined && !spec.startsWith('.') && !spec.startsWith('/') && !spec.startsWith('node:')) {
      if (!builtinModules.includes(spec) && !builtinModules.includes(spec.split('/')[0] as string))
        specs.add(spec);
    }
    for (const value of Object.values(node)) if (typeof value === 'object') visit(value);
  };
  visit(parseAst(code, null, file));
  return [...specs];
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]) as string;
}

function inspector(command: string, args: readonly string[], serverEnv: Record<string, string> = {}) {
  return runFrom(
    process.execPath,
    [INSPECTOR, '--cli', command, ...args],
    { ...env, ...serverEnv },
    {
      timeoutMs: 90_000,
    },
  );
}

async function inspectorJson(command: string, args: readonly string[], serverEnv?: Record<string, string>) {
  const result = await inspector(command, args, serverEnv);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as {
    tools?: Array<{ name: string }>;
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
    content?: Array<{ type: string; text?: string }>;
  };
}

describe('the packed @frontendops/agent, installed into an empty prefix', () => {
  it('is named frontendops-agent-<version>.tgz and puts its three bins on PATH', async () => {
    const manifest = JSON.parse(await readFile(join(AGENT, 'package.json'), 'utf8')) as { version: string };
    expect(relative(dir, pkg.tarball)).toBe(`frontendops-agent-${manifest.version}.tgz`);
    for (const bin of BINS) {
      expect(realpathSync(join(pkg.bin, bin))).toBe(join(pkg.packageDir, 'bin', `${bin}.js`));
    }
    const version = await runFrom('frontendops', ['--version'], env);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(manifest.version);
  });

  it('ships compiled JavaScript only, never the sources, dist/ or dev-only packages', async () => {
    const files = await listFiles(pkg.packageDir);
    const unexpected = files.filter(
      (f) =>
        !/^(bin\/[\w-]+\.js|bundle\/[\w.-]+\.(js|js\.map)|bundle\/THIRD-PARTY-NOTICES\.txt|sandbox-runtime\/package(-lock)?\.json|package\.json|README\.md|LICENSE)$/.test(
          f,
        ),
    );
    expect(unexpected).toEqual([]);
    expect(files).toContain('bundle/frontendops.js');
    expect(files).toContain('bundle/emulator-child.js');
    for (const dev of [
      'typescript',
      'vitest',
      'rolldown',
      '@biomejs/biome',
      '@modelcontextprotocol/inspector',
    ]) {
      expect(existsSync(join(pkg.packageDir, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('declares exactly the packages its code imports (and the model providers loaded by name), each resolving from the package alone', async () => {
    const manifest = JSON.parse(await readFile(join(pkg.packageDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const specs = new Set<string>();
    for (const file of await listFiles(pkg.packageDir)) {
      if (file.endsWith('.js'))
        for (const spec of bareImports(await readFile(join(pkg.packageDir, file), 'utf8'), file))
          specs.add(spec);
    }
    expect(specs.size).toBeGreaterThan(0);
    const undeclared = [...specs].filter((spec) => !(packageOf(spec) in manifest.dependencies));
    expect(undeclared).toEqual([]);
    // And nothing declared goes unused, except the model providers LangChain's initChatModel loads by name.
    const imported = new Set([...specs].map(packageOf));
    const unused = Object.keys(manifest.dependencies).filter((name) => !imported.has(name));
    expect(unused.sort()).toEqual(['@langchain/anthropic', '@langchain/ollama', '@langchain/openai']);
    // Resolved as the package's own code resolves them: from its folder, with nothing of the repository
    // on the way up (the prefix is under the system temp folder).
    const resolved = await runFrom(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'for (const spec of JSON.parse(process.argv[1])) console.log(import.meta.resolve(spec));',
        '--',
        JSON.stringify([...specs]),
      ],
      env,
      { cwd: pkg.packageDir },
    );
    expect(resolved.code, resolved.stderr).toBe(0);
    for (const url of resolved.stdout.trim().split('\n'))
      expect(url.startsWith(`file://${pkg.packageDir}/`)).toBe(true);
  });

  it('starts a sandbox from / whose config runs the installed servers', () => {
    expect(entries.pulumi.args[0]).toBe(join(pkg.packageDir, 'bin', 'frontendops-pulumi-mcp.js'));
    expect(entries.github.args[0]).toBe(join(pkg.packageDir, 'bin', 'frontendops-github-mcp.js'));
    expect(info.configPath).toBe(join(sandboxDir, 'frontendops.config.json'));
  });

  it('answers status and history from / on that sandbox', async () => {
    const head = (await runFrom('git', ['-C', info.repoPath, 'rev-parse', 'HEAD'], env)).stdout.trim();
    const status = await runFrom('frontendops', ['status', '--json', '--config', info.configPath], env);
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { status: string; live: unknown; latest: { sha: string } };
    expect(report).toMatchObject({ status: 'ok', live: null, latest: { sha: head } });
    const history = await runFrom('frontendops', ['history', '--json', '--config', info.configPath], env);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({ status: 'ok', deploys: [] });
  });

  it('loads, for --version, status and history, none of the modules those commands do not need (regression: the merges put the agent core, every S3 command and the health check on the start-up path)', async () => {
    // Every module each process loads (CLI and both servers), recorded by a module-load hook, then mapped
    // back to the packages and files it was bundled from through the shipped source maps.
    const hookDir = join(dir, 'load-hook');
    await mkdir(hookDir, { recursive: true });
    await writeFile(
      join(hookDir, 'hooks.mjs'),
      "import { appendFileSync } from 'node:fs';\n" +
        'let out;\n' +
        'export function initialize(data) { out = data.out; }\n' +
        'export async function load(url, context, next) {\n' +
        "  if (url.startsWith('file:')) appendFileSync(out, url + '\\n');\n" +
        '  return next(url, context);\n' +
        '}\n',
    );
    await writeFile(
      join(hookDir, 'preload.mjs'),
      "import { register } from 'node:module';\n" +
        "const out = process.env.LOAD_LOG_DIR + '/' + process.argv[1].split('/').pop() + '-' + process.pid + '.log';\n" +
        "register(new URL('./hooks.mjs', import.meta.url), { data: { out } });\n",
    );
    const withHook = { NODE_OPTIONS: `--import ${join(hookDir, 'preload.mjs')}` };
    const config = JSON.parse(await readFile(info.configPath, 'utf8')) as {
      mcpServers: Record<string, ServerEntry>;
    };
    const sourcesOf = async (url: string): Promise<string[]> => {
      const map = await readFile(`${fileURLToPath(url)}.map`, 'utf8').catch(() => undefined);
      return map === undefined ? [fileURLToPath(url)] : (JSON.parse(map) as { sources: string[] }).sources;
    };
    /** The sources each process of one command loaded, by its script's file name. */
    const loadedBy = async (args: string[]): Promise<Map<string, string[]>> => {
      const logs = await mkdtemp(join(dir, 'loaded-'));
      for (const entry of Object.values(config.mcpServers)) {
        entry.env = { ...entry.env, ...withHook, LOAD_LOG_DIR: logs };
      }
      const hooked = join(logs, 'config.json');
      await writeFile(hooked, JSON.stringify(config));
      const run = await runFrom('frontendops', [...args, '--config', hooked], {
        ...env,
        ...withHook,
        LOAD_LOG_DIR: logs,
      });
      expect(run.code, run.stderr).toBe(0);
      const loaded = new Map<string, string[]>();
      for (const log of (await readdir(logs)).filter((name) => name.endsWith('.log'))) {
        const urls = (await readFile(join(logs, log), 'utf8')).trim().split('\n');
        const sources = (await Promise.all(urls.map(sourcesOf))).flat();
        loaded.set(log.replace(/(\.js)?-\d+\.log$/, ''), sources);
      }
      return loaded;
    };
    const offending = (sources: string[] | undefined, patterns: RegExp[]) =>
      (sources ?? []).filter((source) => patterns.some((pattern) => pattern.test(source)));

    const version = await loadedBy(['--version']);
    expect(
      offending(version.get('frontendops'), [
        /node_modules\/(@aws-sdk|@smithy|@modelcontextprotocol|parse5|cli-progress|croner)\//,
        /dist\/agent\/(session|flow|dispatch|engine|fleet|jobs)\.js$/,
      ]),
    ).toEqual([]);
    for (const command of ['status', 'history']) {
      const loaded = await loadedBy([command, '--json']);
      expect([...loaded.keys()].sort(), command).toEqual([
        'frontendops',
        'frontendops-github-mcp',
        'frontendops-pulumi-mcp',
      ]);
      expect(
        offending(loaded.get('frontendops'), [
          // The aggregated S3 client: only there when a bundle keeps every S3 command.
          /node_modules\/@aws-sdk\/client-s3\/dist-es\/S3\.js$/,
          /node_modules\/(@aws-sdk\/client-cloudfront|@aws-sdk\/lib-storage|parse5|cli-progress|@langchain)\//,
          /node_modules\/@modelcontextprotocol\/sdk\/dist\/esm\/client\/streamableHttp\.js$/,
          /dist\/deploy\/(pipeline|health)\.js$/,
        ]),
        command,
      ).toEqual([]);
      for (const server of ['frontendops-pulumi-mcp', 'frontendops-github-mcp']) {
        expect(
          offending(loaded.get(server), [
            /node_modules\/(@hono|@octokit|bottleneck)\//,
            /node_modules\/@modelcontextprotocol\/sdk\/dist\/esm\/server\/streamableHttp\.js$/,
            /dist\/mcp\/http\/serve\.js$/,
          ]),
          `${command}: ${server}`,
        ).toEqual([]);
      }
    }
  });

  it('runs the demo on a clone after its npm ci, building with the Vite of that clone', async () => {
    // A clone of this repository's HEAD, with the dependencies an `npm ci` there would install (linked
    // from this checkout: the same lockfile).
    const clone = join(dir, 'clone');
    await runFrom('git', ['clone', '--quiet', '--', ROOT, clone], env);
    await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const expected = (
      await runFrom('git', ['-C', clone, 'log', '-1', '--format=%H', 'HEAD', '--', 'sophia-dashboard/'], env)
    ).stdout.trim();
    const demo = await runFrom('frontendops', ['--json', 'demo', '--repo', clone, '--exit'], env, {
      timeoutMs: 280_000,
    });
    expect(demo.code, demo.stderr).toBe(0);
    const result = JSON.parse(demo.stdout) as {
      status: string;
      commit: string;
      served: string;
      configPath: string;
    };
    expect(result).toMatchObject({ status: 'deployed', commit: expected, served: expected });
    // The demo's sandbox runs the installed servers, and names the clone's Pulumi project.
    const config = JSON.parse(await readFile(result.configPath, 'utf8')) as {
      stacks: Array<{ workDir: string }>;
      mcpServers: Record<string, ServerEntry>;
    };
    expect(config.mcpServers.pulumi?.args[0]).toBe(join(pkg.packageDir, 'bin', 'frontendops-pulumi-mcp.js'));
    expect(config.stacks[0]?.workDir).toBe(join(clone, 'stacks', 'dashboard-hosting-prod'));
  }, 300_000);

  it('serves the pulumi MCP server to the MCP Inspector CLI', async () => {
    const serverEnv = entries.pulumi.env ?? {};
    const listed = await inspectorJson('frontendops-pulumi-mcp', ['--method', 'tools/list'], serverEnv);
    expect(listed.tools?.map((t) => t.name)).toEqual(
      expect.arrayContaining(['pulumi-cli-stack-output', 'invalidate_cdn', 'get_invalidation']),
    );
    const output = await inspectorJson(
      'frontendops-pulumi-mcp',
      [
        '--method',
        'tools/call',
        '--tool-name',
        'pulumi-cli-stack-output',
        '--tool-arg',
        `workDir=${sandboxDir}`,
        'stackName=dashboard-hosting-prod',
        'outputName=hostingBucket',
      ],
      serverEnv,
    );
    expect(output.isError ?? false).toBe(false);
    expect(JSON.stringify(output.structuredContent)).toContain(info.hostingBucket);
  });

  it('serves the github MCP server to the MCP Inspector CLI', async () => {
    const serverEnv = entries.github.env ?? {};
    const listed = await inspectorJson('frontendops-github-mcp', ['--method', 'tools/list'], serverEnv);
    expect(listed.tools?.map((t) => t.name)).toEqual(
      expect.arrayContaining(['list_commits', 'get_commit', 'list_tags', 'create_tag']),
    );
    const head = (await runFrom('git', ['-C', info.repoPath, 'rev-parse', 'HEAD'], env)).stdout.trim();
    const commits = await inspectorJson(
      'frontendops-github-mcp',
      [
        '--method',
        'tools/call',
        '--tool-name',
        'list_commits',
        '--tool-arg',
        'owner=sophia-ai',
        'repo=sophia',
      ],
      serverEnv,
    );
    expect(commits.isError ?? false).toBe(false);
    expect(JSON.stringify(commits)).toContain(head);
  });

  it('serves `frontendops mcp` to the MCP Inspector CLI', async () => {
    // The config comes from FRONTENDOPS_CONFIG: the Inspector CLI takes `--config` as its own option.
    const agentEnv = { FRONTENDOPS_CONFIG: info.configPath };
    const listed = await inspectorJson('frontendops', ['mcp', '--method', 'tools/list'], agentEnv);
    expect(listed.tools?.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'deploy_dashboard',
        'get_deployment_status',
        'list_deployments',
        'rollback_dashboard',
      ]),
    );
    const deployments = await inspectorJson(
      'frontendops',
      ['mcp', '--method', 'tools/call', '--tool-name', 'list_deployments'],
      agentEnv,
    );
    expect(deployments.isError ?? false).toBe(false);
  });
});

/** The placeholders the docs' snippets use, and what the test puts in their place. */
function placeholders(): Array<[string, string]> {
  return [
    ['/abs/path/frontendops.config.json', info.configPath],
    ['/path/to/sophia', info.repoPath],
  ];
}

function substitute(text: string): string {
  let out = text;
  for (const [from, to] of placeholders()) out = out.split(from).join(to);
  return out;
}

async function docSnippets(): Promise<ClientSnippet[]> {
  const docs = existsSync(join(ROOT, 'docs'))
    ? (await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)
    : [];
  const found: ClientSnippet[] = [];
  for (const file of ['README.md', ...docs])
    found.push(...clientSnippets(await readFile(join(ROOT, file), 'utf8'), file));
  return found;
}

describe('the Claude Desktop / Cursor snippets of the docs', () => {
  it('are valid JSON in the client config shape', async () => {
    const snippets = await docSnippets();
    expect(snippets.length).toBeGreaterThan(0);
    for (const snippet of snippets) {
      expect(snippet.parsed, snippet.where).toMatchObject({ ok: true });
      expect(snippet.lang, `${snippet.where}: a client snippet is plain JSON`).toBe('json');
      if (snippet.parsed.ok)
        expect(() => snippetServers(snippet.parsed.ok && snippet.parsed.value), snippet.where).not.toThrow();
    }
  });

  it('start, exactly as written, with the installed bins, and list their tools', async () => {
    let started = 0;
    for (const snippet of await docSnippets()) {
      if (!snippet.parsed.ok) continue;
      const servers = snippetServers(JSON.parse(substitute(snippet.text)));
      for (const [name, server] of Object.entries(servers)) {
        // HTTP entries (`url`) need a running server; the transport's own tests cover them.
        if (server.command === undefined) continue;
        const where = `${snippet.where} mcpServers.${name}`;
        expect(BINS as readonly string[], `${where}: runs one of the package's bins`).toContain(
          server.command,
        );
        const transport = new StdioClientTransport({
          command: server.command,
          args: server.args ?? [],
          env: { ...env, ...server.env },
          cwd: '/',
          stderr: 'pipe',
        });
        let stderr = '';
        transport.stderr?.on('data', (chunk) => {
          stderr += String(chunk);
        });
        const client = new Client({ name: 'docs-snippet-test', version: '1' });
        try {
          await client.connect(transport, { timeout: 60_000 });
          const { tools } = await client.listTools();
          expect(
            tools.map((t) => t.name),
            `${where}: ${stderr}`,
          ).toContain(EXPECTED_TOOL[server.command as (typeof BINS)[number]]);
          started += 1;
        } catch (error) {
          throw new Error(`${where} did not start: ${(error as Error).message}; stderr: ${stderr}`);
        } finally {
          await client.close();
        }
      }
    }
    expect(started).toBeGreaterThan(0);
  });
});
