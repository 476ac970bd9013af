import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FrontendOpsError } from '../errors.js';
import type { Redactor } from './redact.js';

/**
 * The audit log: one JSON object per line, appended, never rewritten. Each line is one
 * `write` on a descriptor opened with O_APPEND, so lines from concurrent writers (a timer and a chat
 * in two processes) interleave whole, never torn: the kernel positions every append at the end.
 */

export const TRIGGERS = ['cli', 'chat', 'schedule', 'mcp', 'workflow', 'rollback'] as const;
export type Trigger = (typeof TRIGGERS)[number];

const base = {
  /** ISO time of the entry. */
  ts: z.string(),
  /** Ties the entries of one request together. */
  requestId: z.string().min(1),
};

export const AuditEntrySchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('request'),
    trigger: z.enum(TRIGGERS),
    requester: z.string(),
    text: z.string(),
    stack: z.string().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('tool_call'),
    /** The `mcpServers` entry name, or `engine` for a guarded engine step. */
    server: z.string(),
    tool: z.string(),
    args: z.unknown(),
    durationMs: z.number(),
    outcome: z.enum(['ok', 'error', 'refused']),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('plan'),
    stack: z.string(),
    commit: z.string(),
    summary: z.unknown(),
  }),
  z.object({
    ...base,
    kind: z.literal('confirm'),
    approved: z.boolean(),
    /** `--yes`, `policy` (stacks[].autoApprove), `user`, or `mcp-client` (the client approved the tool). */
    by: z.string(),
  }),
  z.object({
    ...base,
    kind: z.literal('result'),
    status: z.string(),
    commit: z.string().optional(),
    tag: z.string().optional(),
    releaseId: z.string().optional(),
    code: z.string().optional(),
    message: z.string().optional(),
    durationMs: z.number(),
  }),
]);

export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** An entry as callers hand it over: `ts` is filled in by the log. */
export type AuditInput = AuditEntry extends infer E ? (E extends AuditEntry ? Omit<E, 'ts'> : never) : never;

/** Strings longer than this are cut in the log: a tag message with a thousand-file release is noise. */
export const MAX_AUDIT_STRING = 2_000;

export interface AuditSink {
  append(entry: AuditInput): Promise<void>;
}

export interface AuditLogOptions {
  path: string;
  redactor: Redactor;
  now?: () => Date;
}

function truncateStrings(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_AUDIT_STRING
      ? value
      : `${value.slice(0, MAX_AUDIT_STRING)}…(${value.length - MAX_AUDIT_STRING} more chars)`;
  }
  if (Array.isArray(value)) return value.map(truncateStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncateStrings(v)]));
  }
  return value;
}

/** Serialises one entry to its JSONL line: redacted, long strings cut, newline-terminated. */
export function formatAuditLine(entry: AuditInput, redactor: Redactor, now: Date): string {
  const full = { ts: now.toISOString(), ...entry };
  const safe = truncateStrings(redactor.value(full));
  return `${JSON.stringify(safe)}\n`;
}

export class AuditLog implements AuditSink {
  readonly path: string;
  private readonly redactor: Redactor;
  private readonly now: () => Date;
  private dirReady: Promise<unknown> | undefined;

  constructor(options: AuditLogOptions) {
    this.path = options.path;
    this.redactor = options.redactor;
    this.now = options.now ?? (() => new Date());
  }

  async append(entry: AuditInput): Promise<void> {
    const line = Buffer.from(formatAuditLine(entry, this.redactor, this.now()), 'utf8');
    this.dirReady ??= mkdir(dirname(this.path), { recursive: true });
    try {
      await this.dirReady;
      const handle = await open(this.path, 'a', 0o600);
      try {
        const { bytesWritten } = await handle.write(line, 0, line.length);
        if (bytesWritten !== line.length) {
          throw new Error(`short write: ${bytesWritten} of ${line.length} bytes`);
        }
      } finally {
        await handle.close();
      }
    } catch (cause) {
      throw new FrontendOpsError('INTERNAL', `cannot append to the audit log ${this.path}`, {
        hint: 'Check that auditLogPath is writable; deploys are not run without an audit trail.',
        cause,
      });
    }
  }
}

/** Parses a JSONL audit log's text into entries; a torn or foreign line is an error naming its number. */
export function parseAuditLog(text: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new FrontendOpsError('INTERNAL', `audit log line ${index + 1} is not JSON`, { cause });
    }
    const parsed = AuditEntrySchema.safeParse(json);
    if (!parsed.success) {
      throw new FrontendOpsError('INTERNAL', `audit log line ${index + 1} is not an audit entry`);
    }
    entries.push(parsed.data);
  });
  return entries;
}
