/**
 * The MCP client snippets of the docs (Claude Desktop's `claude_desktop_config.json`, Cursor's `mcp.json`):
 * every fenced block whose text has an `"mcpServers"` key and is not the agent's own config (which has
 * `"stacks"` and may carry comments). Pure: the caller reads the files.
 */

export interface SnippetServer {
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

export interface ClientSnippet {
  /** `README.md:120`: where the block starts, for failure messages. */
  where: string;
  /** The block's info string (`json`, `jsonc`, or empty). */
  lang: string;
  text: string;
  /** The parsed block, or the reason it does not parse. */
  parsed: { ok: true; value: unknown } | { ok: false; error: string };
}

const FENCE = /^(\s*)```(\S*)\s*$/;

export function clientSnippets(markdown: string, file: string): ClientSnippet[] {
  const lines = markdown.split('\n');
  const found: ClientSnippet[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^\s*```\s*$/.test(lines[i] as string); i += 1)
      body.push(lines[i] as string);
    const text = body.join('\n');
    if (!text.includes('"mcpServers"') || text.includes('"stacks"')) continue;
    let parsed: ClientSnippet['parsed'];
    try {
      parsed = { ok: true, value: JSON.parse(text) };
    } catch (error) {
      parsed = { ok: false, error: (error as Error).message };
    }
    found.push({ where: `${file}:${start + 1}`, lang: open[2] ?? '', text, parsed });
  }
  return found;
}

/** The servers of a parsed snippet (`{ "mcpServers": { name: entry } }`); throws on any other shape. */
export function snippetServers(value: unknown): Record<string, SnippetServer> {
  if (typeof value !== 'object' || value === null || !('mcpServers' in value)) {
    throw new Error('not an object with mcpServers');
  }
  const extra = Object.keys(value).filter((key) => key !== 'mcpServers');
  if (extra.length > 0) throw new Error(`unexpected top-level keys: ${extra.join(', ')}`);
  const servers = (value as { mcpServers: unknown }).mcpServers;
  if (typeof servers !== 'object' || servers === null) throw new Error('mcpServers is not an object');
  return servers as Record<string, SnippetServer>;
}
