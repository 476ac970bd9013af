import { config } from 'zod';

/**
 * Makes zod check values by interpreting each schema instead of first generating a parser for it with
 * `new Function` (its "JIT", on the first parse of every object schema). The checks are the same. Each
 * bin calls this before loading anything that builds schemas (zod decides per schema, when it is built):
 * a CLI command or a stdio MCP server lives for one request and parses each of its hundreds of schemas
 * (the MCP SDK's among them) a few times at most, so generating code costs more than it saves.
 */
export function useInterpretedParsers(): void {
  config({ jitless: true });
}
