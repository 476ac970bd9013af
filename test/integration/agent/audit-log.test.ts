import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, parseAuditLog } from '../../../agent/src/audit/log.js';
import { createRedactor } from '../../../agent/src/audit/redact.js';

const root = join(import.meta.dirname, '..', '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fo-audit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each child process appends `count` entries through the compiled AuditLog, as a timer and a chat
// session in two processes would.
const WRITER = `
import { AuditLog } from ${JSON.stringify(join(root, 'agent/dist/audit/log.js'))};
import { createRedactor } from ${JSON.stringify(join(root, 'agent/dist/audit/redact.js'))};
const [path, writer, count] = process.argv.slice(1);
const log = new AuditLog({ path, redactor: createRedactor() });
const big = 'y'.repeat(1500);
await Promise.all(Array.from({ length: Number(count) }, (_, i) =>
  log.append({ kind: 'request', requestId: writer + '-' + i, trigger: 'cli', requester: writer, text: big })));
`;

describe('AuditLog on disk', () => {
  it('keeps every line whole under concurrent writers in several processes', async () => {
    const path = join(dir, 'nested', 'audit.jsonl');
    const writers = ['a', 'b', 'c', 'd'];
    const perWriter = 150;
    await Promise.all(
      writers.map((w) =>
        promisify(execFile)(process.execPath, [
          '--input-type=module',
          '-e',
          WRITER,
          path,
          w,
          String(perWriter),
        ]),
      ),
    );
    // Plus writers inside this process.
    const log = new AuditLog({ path, redactor: createRedactor() });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        log.append({ kind: 'confirm', requestId: `local-${i}`, approved: true, by: '--yes' }),
      ),
    );
    const entries = parseAuditLog(await readFile(path, 'utf8'));
    expect(entries).toHaveLength(writers.length * perWriter + 50);
    const ids = new Set(entries.map((e) => e.requestId));
    expect(ids.size).toBe(entries.length);
  });

  it('appends and never rewrites earlier lines', async () => {
    const path = join(dir, 'append.jsonl');
    const log = new AuditLog({
      path,
      redactor: createRedactor(),
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    await log.append({ kind: 'confirm', requestId: 'one', approved: true, by: 'user' });
    const first = await readFile(path, 'utf8');
    await log.append({ kind: 'confirm', requestId: 'two', approved: false, by: 'user' });
    const second = await readFile(path, 'utf8');
    expect(second.startsWith(first)).toBe(true);
    expect(parseAuditLog(second).map((e) => e.requestId)).toEqual(['one', 'two']);
  });
});
