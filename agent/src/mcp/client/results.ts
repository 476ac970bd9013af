import { z } from 'zod';

/** What the agent keeps of a `tools/call` result. */
export interface ToolOutput {
  /** `structuredContent`, when the server sent it. */
  structured: Record<string, unknown> | undefined;
  /** All text content blocks, joined by newlines. */
  text: string;
}

export interface ToolErrorInfo {
  /** The tool's own error code (`TAG_CONFLICT`), or `TOOL_ERROR` when it gave none. */
  code: string;
  message: string;
  hint?: string;
  /** Structured details the tool attached (FrontendOps servers: `FrontendOpsError.data`). */
  data?: Record<string, unknown>;
}

const ContentBlockSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

/** The parts of a CallToolResult the agent reads; anything else the server sends is ignored. */
export const CallToolOutputSchema = z.looseObject({
  content: z.array(ContentBlockSchema).default([]),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
});

export type CallToolOutput = z.infer<typeof CallToolOutputSchema>;

export function textOf(result: Pick<CallToolOutput, 'content'>): string {
  return result.content
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text as string)
    .join('\n');
}

/** Parses text that is, or ends in, a JSON object; undefined when there is none. */
export function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const firstBrace = trimmed.indexOf('{');
  if (firstBrace > 0) candidates.push(trimmed.slice(firstBrace));
  for (const candidate of candidates) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // not JSON; try the next candidate
    }
  }
  return undefined;
}

const ErrorJsonSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  message: z.string(),
  hint: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The error a tool reported with `isError: true`. FrontendOps servers put `{ code, message, hint }`
 * JSON in the text (and start it with `CODE: message`); other servers write free text.
 */
export function toolErrorInfo(result: Pick<CallToolOutput, 'content' | 'structuredContent'>): ToolErrorInfo {
  const fromStructured = ErrorJsonSchema.safeParse(result.structuredContent);
  if (fromStructured.success) return fromStructured.data;
  const text = textOf(result);
  const fromJson = ErrorJsonSchema.safeParse(jsonObjectIn(text));
  if (fromJson.success) return fromJson.data;
  const prefixed = /^\s*([A-Z][A-Z0-9_]{2,}):\s*(.+)$/s.exec(text);
  if (prefixed?.[1] && prefixed[2]) {
    return { code: prefixed[1], message: prefixed[2].split('\n')[0]?.trim() ?? prefixed[2] };
  }
  return { code: 'TOOL_ERROR', message: text.trim() === '' ? 'the tool reported an error' : text.trim() };
}
