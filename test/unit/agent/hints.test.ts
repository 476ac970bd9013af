import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_MCP_TOOLS } from '../../../agent/src/agent/model.js';

/**
 * Issue 11 §2: hints name the commands a release manager types (`frontendops history`,
 * `frontendops rollback --to TAG`), never the internal MCP tools the agent calls behind them. This
 * scans every hint written in agent/src.
 */

const SRC = join(import.meta.dirname, '..', '..', '..', 'agent', 'src');

/** The github and pulumi servers' tools: internal to the agent, meaningless to a release manager. */
const INTERNAL_TOOLS = [
  ...MODEL_MCP_TOOLS.github,
  ...MODEL_MCP_TOOLS.pulumi,
  'create_tag',
  'next_deploy_tag',
  'invalidate_cdn',
  'pulumi-cli-preview',
  'pulumi-cli-up',
];

/** Verbs a hint may mention only as a whole command (`frontendops rollback --to TAG`). */
const VERBS = /`(?:deploy|rollback|status|history|ask|chat|doctor|unlock|publish|schedule|sandbox|demo)\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every hint expression: from `hint:` / `hint =` to the end of that property. */
function hintsIn(source: string): string[] {
  const hints: string[] = [];
  const start = /\bhint\s*(?::|=(?!=))\s*/g;
  for (let match = start.exec(source); match !== null; match = start.exec(source)) {
    const rest = source.slice(match.index + match[0].length);
    const end = rest.search(
      /,\s*\n\s*(?:[a-zA-Z]+\s*:|\.\.\.|\}|\))|\n\s*\}|;\s*\n|,\s*(?:data|cause|code)\b|\s\}\s*\)/,
    );
    const text = rest.slice(0, end < 0 ? 400 : end).trim();
    // `hint: string` type annotations carry no words.
    if (text !== '' && !/^(?:string|undefined)\b/.test(text)) hints.push(text);
  }
  return hints;
}

const hints = sourceFiles(SRC).flatMap((file) =>
  hintsIn(readFileSync(file, 'utf8')).map((hint) => ({ file: relative(SRC, file), hint })),
);

describe("hints speak the release manager's language", () => {
  it('the scan finds the hints (so it can fail)', () => {
    expect(hints.length).toBeGreaterThan(60);
    expect(hintsIn("throw x('A', 'b', { hint: 'list_tags shows them.', data })")).toEqual([
      "'list_tags shows them.'",
    ]);
  });

  it.each(INTERNAL_TOOLS)('no hint names the internal MCP tool %s', (tool) => {
    const offending = hints.filter(({ hint }) => new RegExp(`\\b${tool}\\b`).test(hint));
    expect(offending).toEqual([]);
  });

  it('a command in a hint is written whole, as typed: `frontendops <verb> …`', () => {
    expect(hints.filter(({ hint }) => VERBS.test(hint))).toEqual([]);
  });

  it('no hint points at documents users do not have', () => {
    expect(hints.filter(({ hint }) => /design §|shared\/|contracts §/.test(hint))).toEqual([]);
  });
});
