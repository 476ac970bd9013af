import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type FrontendOpsError, toFrontendOpsError } from '../../errors.js';

/**
 * Tool results of the agent's own MCP server, in the same shape as the pulumi and github servers
 * (contracts §2): `structuredContent` plus a text block; errors as `isError` with `CODE: message` and
 * a `{ code, message, hint }` JSON line.
 */

export function okResult<T extends object>(summary: string, structured: T): CallToolResult {
  return {
    structuredContent: { ...(structured as Record<string, unknown>) },
    content: [{ type: 'text', text: `${summary}\n${JSON.stringify(structured)}` }],
  };
}

export function errorResult(error: FrontendOpsError): CallToolResult {
  const body = {
    code: error.code,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  };
  return {
    isError: true,
    content: [{ type: 'text', text: `${error.code}: ${error.message}\n${JSON.stringify(body)}` }],
  };
}

export async function runTool(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (thrown) {
    return errorResult(toFrontendOpsError(thrown));
  }
}
