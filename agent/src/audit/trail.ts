import { randomUUID } from 'node:crypto';
import type { AuditInput, AuditSink } from './log.js';

type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;
export type TrailEntry = WithoutRequestId<AuditInput>;

/** The audit entries of one request: every line carries the same request id. */
export class AuditTrail {
  constructor(
    readonly sink: AuditSink,
    readonly requestId: string = randomUUID(),
  ) {}

  write(entry: TrailEntry): Promise<void> {
    return this.sink.append({ ...entry, requestId: this.requestId } as AuditInput);
  }
}

/** An audit sink that keeps entries in memory (tests, `--dry-run` previews inside other tools). */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditInput[] = [];

  async append(entry: AuditInput): Promise<void> {
    this.entries.push(entry);
  }
}
