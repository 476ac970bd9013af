import { createHash } from 'node:crypto';
import type {
  LockObject,
  LockStore,
  RemoveResult,
  ReplaceResult,
} from '../../agent/src/deploy/lock-store.js';
import type { DeployLock } from '../../agent/src/deploy/schemas.js';

/**
 * The lock's object store in memory, with S3's semantics at the interface the lock protocol uses:
 * atomic create-if-absent and compare-and-swap on the ETag, and S3's own clock (`serverNow`) for
 * Last-Modified and Date — which tests move independently of each deployer's clock.
 */
export class FakeLockStore implements LockStore {
  readonly where = 'mem://artifacts/locks/prod.json';
  object: { lock: DeployLock; etag: string; lastModified: Date } | undefined;
  /** S3's clock, in ms. */
  serverNow: number;
  /** Whether reads carry S3's Date (an S3-compatible store may not say). */
  reportsDate = true;
  readonly ops: string[] = [];
  /** Runs before each operation takes effect: lets a test act "between" a read and a write. */
  before: ((op: 'read' | 'create' | 'replace' | 'remove') => void) | undefined;

  constructor(serverNow = Date.parse('2026-11-23T10:00:00Z')) {
    this.serverNow = serverNow;
  }

  advance(ms: number): void {
    this.serverNow += ms;
  }

  /** Writes a lock as another deployer would, at S3's current time. */
  plant(lock: DeployLock): string {
    return this.store(lock);
  }

  private store(lock: DeployLock): string {
    const body = JSON.stringify(lock);
    const etag = `"${createHash('md5').update(`${body}@${this.serverNow}`).digest('hex')}"`;
    // HTTP dates have whole seconds.
    this.object = { lock, etag, lastModified: new Date(Math.floor(this.serverNow / 1000) * 1000) };
    return etag;
  }

  async read(): Promise<LockObject | undefined> {
    this.before?.('read');
    this.ops.push('read');
    if (this.object === undefined) return undefined;
    return {
      ...this.object,
      serverDate: this.reportsDate ? new Date(Math.floor(this.serverNow / 1000) * 1000) : undefined,
    };
  }

  async create(lock: DeployLock): Promise<{ created: true; etag: string } | { created: false }> {
    this.before?.('create');
    this.ops.push('create');
    if (this.object !== undefined) return { created: false };
    return { created: true, etag: this.store(lock) };
  }

  async replace(lock: DeployLock, etag: string): Promise<ReplaceResult> {
    this.before?.('replace');
    this.ops.push('replace');
    if (this.object === undefined) return { ok: false, reason: 'gone' };
    if (this.object.etag !== etag) return { ok: false, reason: 'changed' };
    return { ok: true, etag: this.store(lock) };
  }

  async remove(etag: string): Promise<RemoveResult> {
    this.before?.('remove');
    this.ops.push('remove');
    if (this.object === undefined) return 'gone';
    if (this.object.etag !== etag) return 'changed';
    this.object = undefined;
    return 'deleted';
  }
}

/** A timer the test fires by hand, and a monotonic clock it moves. */
export function manualTimers() {
  let mono = 0;
  const pending: Array<{ fn: () => void; at: number; cancelled: boolean }> = [];
  return {
    monotonic: () => mono,
    setTimer: (fn: () => void, ms: number) => {
      const entry = { fn, at: mono + ms, cancelled: false };
      pending.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    /** Moves the monotonic clock and fires the timers that came due. */
    async advance(ms: number) {
      mono += ms;
      for (const entry of pending.splice(0)) {
        if (entry.cancelled) continue;
        if (entry.at <= mono) entry.fn();
        else pending.push(entry);
      }
      // let the renewal promises settle
      for (let i = 0; i < 10; i += 1) await Promise.resolve();
    },
    scheduled: () => pending.filter((e) => !e.cancelled).length,
  };
}
