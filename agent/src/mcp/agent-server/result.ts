import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type FrontendOpsError, toFrontendOpsError } from '../../errors.js';
import { formatToolErrorText } from '../tool-error.js';

/**
 * Tool results of the agent's own MCP server, in the same shape as the pulumi and github servers:
 * `structuredContent` plus a text block; errors as `isError` with `CODE: message` and
 * a `{ code, message, hint }` JSON line.
 */

export function okResult<T extends object>(summary: string, structured: T): CallToolResult {
  return {
    structuredContent: { ...(structured as Record<string, unknown>) },
    content: [{ type: 'text', text: `${summary}\n${JSON.stringify(structured)}` }],
  };
}

export function errorResult(error: FrontendOpsError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: formatToolErrorText(error) }] };
}

export async function runTool(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (thrown) {
    return errorResult(toFrontendOpsError(thrown));
  }
}
