import { posix } from 'node:path';
import type { Command, Option } from 'commander';
import GithubSlugger from 'github-slugger';
import { fromMarkdown } from 'mdast-util-from-markdown';

/**
 * Checks for the Markdown documentation (README.md and docs/): relative links and anchors that resolve,
 * and shell examples whose `frontendops` commands exist. Pure: files come in as text, and the only
 * filesystem question (does a non-Markdown target exist?) is a function the caller passes.
 */

/** The parts of an mdast node these checks read. */
interface MdNode {
  type: string;
  children?: MdNode[];
  value?: string;
  url?: string;
  lang?: string | null;
  depth?: number;
  position?: { start: { line: number } };
}

export interface DocProblem {
  file: string;
  line: number;
  problem: string;
}

function walk(node: MdNode, visit: (node: MdNode) => void): void {
  visit(node);
  for (const child of node.children ?? []) walk(child, visit);
}

function parse(markdown: string): MdNode {
  return fromMarkdown(markdown) as MdNode;
}

/** The text GitHub slugs a heading from: its visible text, inline code included, markup dropped. */
function plainText(node: MdNode): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value ?? '';
  if (node.type === 'html') return '';
  return (node.children ?? []).map(plainText).join('');
}

/** The anchors GitHub gives a file's headings, in order (a repeated heading gets `-1`, `-2`…). */
export function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  walk(parse(markdown), (node) => {
    if (node.type === 'heading') anchors.add(slugger.slug(plainText(node)));
  });
  return anchors;
}

export interface MarkdownLink {
  url: string;
  line: number;
}

/** Links, images and link definitions; code blocks and inline code are not links. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  walk(parse(markdown), (node) => {
    if (
      (node.type === 'link' || node.type === 'image' || node.type === 'definition') &&
      node.url !== undefined
    )
      links.push({ url: node.url, line: node.position?.start.line ?? 0 });
  });
  return links;
}

export interface CodeBlock {
  lang: string;
  value: string;
  line: number;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  walk(parse(markdown), (node) => {
    if (node.type === 'code')
      blocks.push({ lang: node.lang ?? '', value: node.value ?? '', line: node.position?.start.line ?? 0 });
  });
  return blocks;
}

export interface LinkSources {
  /** Markdown text of a repository-relative path, or undefined when there is no such file. */
  readMarkdown: (path: string) => string | undefined;
  /** Whether a repository-relative path (a file or a folder) exists. */
  exists: (path: string) => boolean;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Every relative link of `file` (a repository-relative path) must name something that exists, and every
 * `#anchor` a heading of the target Markdown file. Links with a scheme (https:, mailto:) are not checked.
 */
export function checkLinks(
  file: string,
  markdown: string,
  sources: LinkSources,
  /** Anchors per file, shared between calls so each target is parsed once. */
  anchorsOf = new Map<string, Set<string> | undefined>(),
): DocProblem[] {
  const problems: DocProblem[] = [];
  const anchors = (path: string): Set<string> | undefined => {
    if (!anchorsOf.has(path)) {
      const text = path === file ? markdown : sources.readMarkdown(path);
      anchorsOf.set(path, text === undefined ? undefined : headingAnchors(text));
    }
    return anchorsOf.get(path);
  };
  for (const { url, line } of markdownLinks(markdown)) {
    if (SCHEME.test(url) || url.startsWith('//')) continue;
    const report = (problem: string) => problems.push({ file, line, problem: `${url}: ${problem}` });
    const hash = url.indexOf('#');
    const rawPath = hash === -1 ? url : url.slice(0, hash);
    const fragment = hash === -1 ? undefined : decodeURIComponent(url.slice(hash + 1));
    let target = file;
    if (rawPath !== '') {
      if (rawPath.startsWith('/')) {
        report('absolute paths do not resolve on GitHub and in a clone alike; use a relative link');
        continue;
      }
      target = posix.normalize(posix.join(posix.dirname(file), decodeURIComponent(rawPath)));
      if (target === '..' || target.startsWith('../')) {
        report('points outside the repository');
        continue;
      }
      target = target.replace(/\/$/, '');
      if (!sources.exists(target)) {
        report(`${target} does not exist`);
        continue;
      }
    }
    if (fragment === undefined) continue;
    if (!target.endsWith('.md')) {
      report(`an anchor into ${target}, which is not a Markdown file`);
      continue;
    }
    const known = anchors(target);
    if (known === undefined) report(`${target} cannot be read`);
    else if (!known.has(fragment)) report(`${target} has no heading with the anchor #${fragment}`);
  }
  return problems;
}

/** Wording that points at documents users do not have. */
const FORBIDDEN = [/design §/i, /contracts §/i, /\bshared\//];

export function forbiddenMentions(file: string, markdown: string): DocProblem[] {
  const problems: DocProblem[] = [];
  markdown.split('\n').forEach((text, index) => {
    for (const pattern of FORBIDDEN) {
      const match = pattern.exec(text);
      if (match) problems.push({ file, line: index + 1, problem: `mentions "${match[0]}"` });
    }
  });
  return problems;
}

/** Splits one shell line into words, honouring quotes; `#` starts a comment at a word boundary. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '#' && !inWord) {
      break;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${line}`);
  if (inWord) words.push(current);
  return words;
}

const SEPARATORS = new Set(['&&', '||', '|', ';']);

/** The simple commands of a shell snippet: continuation lines joined, split at `&&`, `||`, `|`, `;`. */
export function shellCommands(snippet: string): string[][] {
  const commands: string[][] = [];
  for (const line of snippet.replace(/\\\n/g, ' ').split('\n')) {
    let current: string[] = [];
    for (const word of shellWords(line)) {
      if (SEPARATORS.has(word)) {
        if (current.length > 0) commands.push(current);
        current = [];
      } else current.push(word);
    }
    if (current.length > 0) commands.push(current);
  }
  return commands;
}

function findOption(options: readonly Option[], flag: string): Option | undefined {
  return options.find((o) => o.long === flag || o.short === flag);
}

/**
 * Whether `frontendops <args>` names commands and options the CLI has: global options first, then a
 * command (and a subcommand, e.g. `sandbox start`), then only options that command or the program knows.
 * Returns what is wrong, or undefined.
 */
export function unknownCliUsage(program: Command, args: readonly string[]): string | undefined {
  let command: Command = program;
  let i = 0;
  const takeOptions = (flag: string, options: readonly Option[]): 'value' | 'flag' | undefined => {
    const option = findOption(options, flag) ?? findOption(program.options, flag);
    if (!option) return undefined;
    return option.required || option.optional ? 'value' : 'flag';
  };
  while (i < args.length) {
    const word = args[i] as string;
    if (word === '--help' || word === '-h') {
      i += 1;
      continue;
    }
    if (word.startsWith('-')) {
      const [flag, inline] = word.split('=', 2) as [string, string | undefined];
      const kind = takeOptions(flag, command.options);
      if (kind === undefined) return `${command.name()} has no option ${flag}`;
      i += kind === 'value' && inline === undefined ? 2 : 1;
      continue;
    }
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      command = sub;
      i += 1;
      continue;
    }
    if (command === program) return `frontendops has no command ${word}`;
    if (command.commands.length > 0 && command.registeredArguments.length === 0)
      return `${command.name()} has no subcommand ${word}`;
    i += 1; // a positional argument of the command
  }
  return undefined;
}

/** Programs a README snippet may run besides the CLI: package manager, git, shell navigation, node. */
export const OTHER_PROGRAMS = new Set(['npm', 'git', 'cd', 'node']);

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Every `frontendops …` (or `npx frontendops …`) command of the `sh` blocks must exist in the CLI. With
 * `onlyKnownPrograms` (the README's quick start and tour), any other program than OTHER_PROGRAMS is
 * reported too; reference pages also show `pulumi`, `gh`, the MCP Inspector and the like.
 */
export function checkShellSnippets(
  file: string,
  markdown: string,
  program: Command,
  { onlyKnownPrograms = true }: { onlyKnownPrograms?: boolean } = {},
): DocProblem[] {
  const problems: DocProblem[] = [];
  for (const block of codeBlocks(markdown)) {
    if (block.lang !== 'sh') continue;
    for (const command of shellCommands(block.value)) {
      const start = command.findIndex((word) => !ENV_ASSIGNMENT.test(word));
      if (start === -1) continue;
      const words = command.slice(start);
      const [first, ...rest] = words as [string, ...string[]];
      const report = (problem: string) =>
        problems.push({ file, line: block.line, problem: `${words.join(' ')}: ${problem}` });
      let args: string[];
      if (first === 'frontendops') args = rest;
      else if (first === 'npx' && rest[0] === 'frontendops') args = rest.slice(1);
      else {
        if (onlyKnownPrograms && !OTHER_PROGRAMS.has(first))
          report(`${first} is neither the CLI nor a known program`);
        continue;
      }
      const wrong = unknownCliUsage(program, args);
      if (wrong) report(wrong);
    }
  }
  return problems;
}
