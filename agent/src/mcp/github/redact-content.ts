import type { CommitRecord, TagRecord } from './backend.js';

/**
 * Repository content can hold pasted secrets (a token in a commit message, a key in a diff). Every
 * string the read tools return — messages, names, e-mails, file names, patches — goes through the
 * project's redactor before it leaves the server, in the structured result and in every text block.
 * The redactor's patterns live in audit/redact.ts; this only walks the records.
 */

export type RedactText = (text: string) => string;

function redactDeep<T>(value: T, redact: RedactText, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object' || depth > 10) return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, redact, depth + 1);
  return out as T;
}

export function redactCommit(record: CommitRecord, redact: RedactText): CommitRecord {
  return redactDeep(record, redact);
}

export function redactTag(record: TagRecord, redact: RedactText): TagRecord {
  return redactDeep(record, redact);
}
