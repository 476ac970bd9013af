import type { FrontendOpsError } from '../errors.js';

/**
 * The error text every FrontendOps MCP tool answers with: a first line `CODE: message`
 * for people and for clients that read only the first line, then one JSON line
 * `{ code, message, hint?, data? }` for clients that parse it. `data` is safe to print by definition
 * (see FrontendOpsError). The message is folded onto one line so the first line is always complete.
 */
export function formatToolErrorText(error: FrontendOpsError): string {
  const body = {
    code: error.code,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.data === undefined ? {} : { data: error.data }),
  };
  return `${error.code}: ${error.message.replace(/\s*\n\s*/g, ' ')}\n${JSON.stringify(body)}`;
}
