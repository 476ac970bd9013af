import { describe, expect, it } from 'vitest';
import { formatAuditLine, MAX_AUDIT_STRING, parseAuditLog } from '../../../agent/src/audit/log.js';
import { createRedactor, REDACTED } from '../../../agent/src/audit/redact.js';
import { AuditTrail, MemoryAuditSink } from '../../../agent/src/audit/trail.js';

const now = new Date('2026-11-23T10:00:00Z');

describe('formatAuditLine', () => {
  it('writes one redacted JSON line with the time first', () => {
    const line = formatAuditLine(
      {
        kind: 'tool_call',
        requestId: 'r1',
        server: 'github',
        tool: 'create_tag',
        args: {
          owner: 'o',
          token: `ghp_${'abcdefghijklmnopqrstuvwxyz0123456789'}`,
          message: 'secret-value-123 inside',
        },
        durationMs: 12,
        outcome: 'ok',
      },
      createRedactor(['secret-value-123']),
      now,
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const parsed = JSON.parse(line);
    expect(parsed.ts).toBe('2026-11-23T10:00:00.000Z');
    expect(parsed.args).toEqual({ owner: 'o', token: REDACTED, message: `${REDACTED} inside` });
  });

  it('cuts very long strings', () => {
    const line = formatAuditLine(
      {
        kind: 'request',
        requestId: 'r',
        trigger: 'cli',
        requester: 'me',
        text: 'x'.repeat(MAX_AUDIT_STRING + 50),
      },
      createRedactor(),
      now,
    );
    expect(JSON.parse(line).text).toMatch(/…\(50 more chars\)$/);
  });
});

describe('parseAuditLog', () => {
  it('round-trips entries and names a torn line', () => {
    const redactor = createRedactor();
    const text =
      formatAuditLine({ kind: 'confirm', requestId: 'r', approved: true, by: '--yes' }, redactor, now) +
      formatAuditLine({ kind: 'result', requestId: 'r', status: 'deployed', durationMs: 5 }, redactor, now);
    expect(parseAuditLog(text).map((e) => e.kind)).toEqual(['confirm', 'result']);
    expect(() => parseAuditLog(`${text}{"kind":"res`)).toThrowError(/line 3 is not JSON/);
  });
});

describe('AuditTrail', () => {
  it('stamps every entry with its request id', async () => {
    const sink = new MemoryAuditSink();
    const trail = new AuditTrail(sink, 'req-7');
    await trail.write({ kind: 'confirm', approved: false, by: 'user' });
    expect(sink.entries).toEqual([{ kind: 'confirm', approved: false, by: 'user', requestId: 'req-7' }]);
  });
});
