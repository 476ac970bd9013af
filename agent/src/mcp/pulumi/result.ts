import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toFrontendOpsError } from '../../errors.js';
import { formatToolErrorText } from '../tool-error.js';

/**
 * Tool results and failures. Success: `structuredContent` plus a text block for clients
 * that only read text. Failure: the handler throws and the SDK answers `isError: true` with the thrown
 * message, which reads `CODE: message` and then a JSON line `{ code, message, hint, data }`.
 */

export type ToolLog = (line: string) => void;

export function toolResult(structured: Record<string, unknown>, text: string): CallToolResult {
  return { structuredContent: structured, content: [{ type: 'text', text }] };
}

/**
 * Wraps a tool body: logs one stderr line per call (the tool and the outcome's code, never arguments or
 * values: they can hold secrets), and rethrows failures with the coded message. Unknown errors are
 * INTERNAL. The SDK turns the throw into the `isError` result.
 */
export function toolHandler<A>(
  name: string,
  log: ToolLog,
  body: (args: A) => Promise<CallToolResult>,
): (args: A) => Promise<CallToolResult> {
  return async (args) => {
    try {
      const result = await body(args);
      log(`${name}: ok`);
      return result;
    } catch (thrown) {
      const error = toFrontendOpsError(thrown);
      log(`${name}: ${error.code}`);
      throw new Error(formatToolErrorText(error), { cause: error });
    }
  };
}
