import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../../agent/src/cli/main.js';
import { captureCli } from '../../support/cli-context.js';
import {
  checkLinks,
  checkShellSnippets,
  codeBlocks,
  forbiddenMentions,
  headingAnchors,
  type LinkSources,
  shellCommands,
  unknownCliUsage,
} from '../../support/markdown-docs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The reference pages other parts of the project link to by name. */
const PAGES = [
  'agent',
  'configuration',
  'engine',
  'pulumi-mcp',
  'github-mcp',
  'mcp-clients',
  'stack',
  'workflows',
  'sandbox',
  'demo',
  'dashboard',
  'benchmarks',
];

const repoSources: LinkSources = {
  readMarkdown: (path) => {
    const full = join(ROOT, path);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  },
  exists: (path) => existsSync(join(ROOT, path)),
};

function docsFiles(): string[] {
  const pages = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages.sort()];
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function inMemory(files: Record<string, string>, others: readonly string[] = []): LinkSources {
  return {
    readMarkdown: (path) => files[path],
    exists: (path) => path in files || others.includes(path),
  };
}

const program = () => createProgram(captureCli().ctx);

describe('the link checker', () => {
  const files = {
    'README.md': [
      '# Title',
      '',
      'See [the agent](docs/agent.md#exit-codes), [the top](#title), [a picture](docs/images/shot.png),',
      '[GitHub](https://github.com/x/y#anything) and [mail](mailto:a@b.c).',
      '',
      '```md',
      '[inside a code block](docs/nowhere.md) is not a link',
      '```',
    ].join('\n'),
    'docs/agent.md': [
      '# The agent',
      '## Exit codes',
      '## `frontendops mcp` — the agent as an MCP server',
      '## Outcomes and `--json`',
      '## Notes',
      '## Notes',
      '[back](../README.md#title), [self](#notes-1), [mcp](#frontendops-mcp--the-agent-as-an-mcp-server),',
      '[json](#outcomes-and---json)',
    ].join('\n'),
  };
  const sources = inMemory(files, ['docs/images/shot.png', 'docs/images']);

  it('accepts links and anchors that resolve, with GitHub slugs for code, dashes and repeats', () => {
    expect(checkLinks('README.md', files['README.md'], sources)).toEqual([]);
    expect(checkLinks('docs/agent.md', files['docs/agent.md'], sources)).toEqual([]);
    expect([...headingAnchors(files['docs/agent.md'])]).toEqual([
      'the-agent',
      'exit-codes',
      'frontendops-mcp--the-agent-as-an-mcp-server',
      'outcomes-and---json',
      'notes',
      'notes-1',
    ]);
  });

  it('reports a missing file, a missing anchor, an anchor in this file and a missing image', () => {
    const broken = [
      '# Broken',
      '[gone](docs/gone.md) [bad anchor](docs/agent.md#exit-code) [here](#nowhere)',
      '![shot](docs/images/missing.png)',
      '',
      '[ref]: docs/also-gone.md',
    ].join('\n');
    const problems = checkLinks('README.md', broken, sources).map((p) => `${p.line} ${p.problem}`);
    expect(problems).toEqual([
      '2 docs/gone.md: docs/gone.md does not exist',
      '2 docs/agent.md#exit-code: docs/agent.md has no heading with the anchor #exit-code',
      '2 #nowhere: README.md has no heading with the anchor #nowhere',
      '3 docs/images/missing.png: docs/images/missing.png does not exist',
      '5 docs/also-gone.md: docs/also-gone.md does not exist',
    ]);
  });

  it('reports links that leave the repository or are absolute', () => {
    const text = '[up](../../outside.md) [abs](/README.md)';
    const problems = checkLinks('docs/agent.md', text, sources).map((p) => p.problem);
    expect(problems).toEqual([
      '../../outside.md: points outside the repository',
      '/README.md: absolute paths do not resolve on GitHub and in a clone alike; use a relative link',
    ]);
  });

  it('reports mentions of documents users do not have', () => {
    const text = 'ok\nas design §3 says\nsee shared/conventions.md\ncontracts §2';
    expect(forbiddenMentions('x.md', text).map((p) => p.line)).toEqual([2, 3, 4]);
  });
});

describe('the shell snippet checker', () => {
  it('splits commands at separators, joins continuations and drops comments', () => {
    expect(
      shellCommands('npm ci && npm run demo    # the whole job\nfrontendops ask "what\'s live?" \\\n  --yes'),
    ).toEqual([
      ['npm', 'ci'],
      ['npm', 'run', 'demo'],
      ['frontendops', 'ask', "what's live?", '--yes'],
    ]);
  });

  it('knows the CLI: commands, subcommands, global options and option values', () => {
    const cli = program();
    expect(unknownCliUsage(cli, ['--config', 'x.json', 'doctor'])).toBeUndefined();
    expect(unknownCliUsage(cli, ['history', '--limit', '5', '--json'])).toBeUndefined();
    expect(unknownCliUsage(cli, ['sandbox', 'start', '--dir', '.sandbox', '--persist'])).toBeUndefined();
    expect(unknownCliUsage(cli, ['ask', 'Deploy the latest dashboard', '--yes'])).toBeUndefined();
    expect(unknownCliUsage(cli, ['deploy', '--commit=abc1234', '--dry-run'])).toBeUndefined();
    expect(unknownCliUsage(cli, ['deploy', '--help'])).toBeUndefined();
    expect(unknownCliUsage(cli, ['redeploy'])).toBe('frontendops has no command redeploy');
    expect(unknownCliUsage(cli, ['deploy', '--force'])).toBe('deploy has no option --force');
    expect(unknownCliUsage(cli, ['history', '--to', 'x'])).toBe('history has no option --to');
    expect(unknownCliUsage(cli, ['sandbox', 'stop'])).toBe('sandbox has no subcommand stop');
  });

  it('skips environment assignments, and on reference pages checks only the CLI', () => {
    const text = ['```sh', 'FOO=1 BAR=2 frontendops deploy --force', 'pulumi up', '```'].join('\n');
    const problems = checkShellSnippets('docs/x.md', text, program(), { onlyKnownPrograms: false });
    expect(problems.map((p) => p.problem)).toEqual([
      'frontendops deploy --force: deploy has no option --force',
    ]);
  });

  it('reports unknown commands and programs in sh blocks only', () => {
    const text = [
      '```sh',
      'npm ci && frontendops deploy --yes',
      'npx frontendops rollback --to dashboard-deploy-20261122-2',
      'frontendops deploy --force',
      'fronendops status',
      '```',
      '',
      '```text',
      'frontendops not-checked',
      '```',
    ].join('\n');
    const problems = checkShellSnippets('README.md', text, program()).map((p) => p.problem);
    expect(problems).toEqual([
      'frontendops deploy --force: deploy has no option --force',
      'fronendops status: fronendops is neither the CLI nor a known program',
    ]);
  });
});

describe('README.md and docs/', () => {
  it('has every reference page', () => {
    for (const page of PAGES)
      expect(existsSync(join(ROOT, 'docs', `${page}.md`)), `docs/${page}.md`).toBe(true);
  });

  it('keeps README.md to at most 250 lines', () => {
    expect(read('README.md').trimEnd().split('\n').length).toBeLessThanOrEqual(250);
  });

  it('has no broken relative link or anchor', () => {
    const anchors = new Map<string, Set<string> | undefined>();
    const problems = docsFiles().flatMap((file) => checkLinks(file, read(file), repoSources, anchors));
    expect(problems).toEqual([]);
  });

  it('mentions no document users do not have', () => {
    const problems = docsFiles().flatMap((file) => forbiddenMentions(file, read(file)));
    expect(problems).toEqual([]);
  });

  it("shows only commands the CLI has in the README's sh blocks", () => {
    const readme = read('README.md');
    expect(codeBlocks(readme).filter((b) => b.lang === 'sh').length).toBeGreaterThan(0);
    expect(checkShellSnippets('README.md', readme, program())).toEqual([]);
  });

  it('shows only frontendops commands and flags the CLI has in the sh blocks of docs/', () => {
    const problems = docsFiles()
      .filter((file) => file !== 'README.md')
      .flatMap((file) => checkShellSnippets(file, read(file), program(), { onlyKnownPrograms: false }));
    expect(problems).toEqual([]);
  });

  it('shows the two commands exactly, and .ci/run runs the test one', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    expect(read('.ci/run')).toMatch(/^npm ci && npm test$/m);
  });

  it('has JSON blocks that parse', () => {
    for (const file of docsFiles()) {
      for (const block of codeBlocks(read(file)).filter((b) => b.lang === 'json')) {
        expect(() => JSON.parse(block.value), `${file}:${block.line}`).not.toThrow();
      }
    }
  });
});
