import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Issue 11 §5: what the commands load before they answer. A module's static imports are loaded and run
 * before any of its code, so these walk the static import graph of the sources (type-only imports
 * excluded, dynamic `import()` not followed) and check that the start-up paths reach none of the heavy
 * modules their command does not need at that point. (The bundled package is checked by the package
 * e2e test, which counts what the installed commands really load.)
 */

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../../agent/src');

interface Graph {
  /** Source files reached, relative to agent/src. */
  local: Set<string>;
  /** Bare specifiers imported by them. */
  packages: Set<string>;
}

/** The specifiers a file loads when it runs: everything but `import type` / `export type`. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const specs: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      if (statement.importClause?.isTypeOnly) continue;
      specs.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) {
      if (statement.isTypeOnly) continue;
      specs.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specs;
}

function staticGraph(entry: string): Graph {
  const graph: Graph = { local: new Set(), packages: new Set() };
  const queue = [join(SRC, entry)];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const rel = relative(SRC, file);
    if (graph.local.has(rel)) continue;
    graph.local.add(rel);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) graph.packages.add(spec);
    }
  }
  return graph;
}

/** The reached modules (local paths and package specifiers) that match one of `patterns`. */
function reached(graph: Graph, patterns: readonly RegExp[]): string[] {
  return [...graph.local, ...graph.packages].filter((m) => patterns.some((p) => p.test(m)));
}

/** The SDKs and libraries that dominate start-up when loaded. */
const HEAVY_PACKAGES = [
  /^@aws-sdk\//,
  /^@smithy\//,
  /^@modelcontextprotocol\/sdk/,
  /^@octokit\//,
  /^@langchain\//,
  /^parse5/,
  /^mime/,
  /^cli-progress/,
  /^croner/,
];

describe('start-up import graph', () => {
  it('the CLI entry (every command file) loads no agent core, engine or SDK: --version and --help stay light, and status starts its servers sooner (regression: command files imported their handlers statically)', () => {
    const graph = staticGraph('cli/main.ts');
    expect(reached(graph, HEAVY_PACKAGES)).toEqual([]);
    expect(
      reached(graph, [
        /^agent\/(session|flow|dispatch|engine|fleet|jobs|schedule|reconnect|intent)\.ts$/,
        /^deploy\/(pipeline|health|journal|lock|releases|requests)\.ts$/,
        /^mcp\/(client|client\/http)\.ts$/,
        /^mcp\/(pulumi|github|agent-server|http)\//,
      ]),
    ).toEqual([]);
  });

  it('a session spawns its stdio servers before loading the AWS SDK, the deploy engine or the MCP HTTP transport', () => {
    const graph = staticGraph('agent/session.ts');
    expect(reached(graph, [/^@aws-sdk\//, /^@smithy\//, /streamableHttp/])).toEqual([]);
    expect(
      reached(graph, [/^deploy\//, /^agent\/(flow|engine|dispatch)\.ts$/, /^mcp\/client\/http\.ts$/]),
    ).toEqual([]);
  });

  it("status and history (the flow) do not load the deploy pipeline or the health check's HTML parser", () => {
    const graph = staticGraph('agent/dispatch.ts');
    expect(reached(graph, [/^parse5/, /^mime/, /^@aws-sdk\/(client-cloudfront|lib-storage)/])).toEqual([]);
    expect(reached(graph, [/^deploy\/(pipeline|health|copy|prune)\.ts$/])).toEqual([]);
  });

  it('a stdio MCP server loads neither the HTTP serving code nor, for the github server, Octokit', () => {
    for (const server of ['mcp/pulumi/main.ts', 'mcp/github/main.ts']) {
      const graph = staticGraph(server);
      expect(
        reached(graph, [/^mcp\/http\/serve\.ts$/, /server\/streamableHttp/, /^@hono\//]),
        server,
      ).toEqual([]);
      expect(reached(graph, [/^@octokit\//, /^mcp\/github\/octokit\//]), server).toEqual([]);
    }
  });

  it('each bin sets zod to interpret schemas before anything that builds one is loaded', () => {
    for (const bin of ['cli/bin.ts', 'mcp/pulumi/bin.ts', 'mcp/github/bin.ts']) {
      const graph = staticGraph(bin);
      expect([...graph.local].sort(), bin).toEqual([bin, 'parsers.ts'].sort());
      expect([...graph.packages], bin).toEqual(['zod']);
    }
  });
});
