import type { z } from 'zod';
import { type ErrorCode, FrontendOpsError } from './errors.js';

/** `stacks[0].name: expected string` — one line per issue, path first, as users read config errors. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((part, index) =>
          typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
        )
        .join('');
      return `${path === '' ? '(root)' : path}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses `value` with `schema` or throws a FrontendOpsError with `code` naming every bad field. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: ErrorCode,
  what: string,
  hint?: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new FrontendOpsError(code, `${what}: ${formatZodIssues(result.error)}`, {
      hint: hint ?? `Fix the ${what} field named above.`,
    });
  }
  return result.data;
}
