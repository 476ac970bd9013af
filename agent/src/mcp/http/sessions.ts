/**
 * The sessions of one HTTP server: at most `maxSessions` at a time, each closed after `idleTimeoutMs`
 * without a request. A session with a request in flight is never idle (a long `invalidate_cdn` with
 * `wait` keeps its session). Only bookkeeping lives here; closing is the caller's job.
 */

export interface SessionLimits {
  maxSessions: number;
  idleTimeoutMs: number;
}

interface Entry<T> {
  value: T;
  lastSeen: number;
  inFlight: number;
}

export class SessionTable<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Sessions being initialised: they count against the limit before they have an id. */
  private pending = 0;

  constructor(
    private readonly limits: SessionLimits,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Reserves room for one new session; false when the server is full. */
  reserve(): boolean {
    if (this.entries.size + this.pending >= this.limits.maxSessions) return false;
    this.pending += 1;
    return true;
  }

  /** Gives back a reservation that did not become a session. */
  release(): void {
    this.pending = Math.max(0, this.pending - 1);
  }

  /** Turns a reservation into a session. */
  add(id: string, value: T): void {
    this.release();
    this.entries.set(id, { value, lastSeen: this.now(), inFlight: 0 });
  }

  get(id: string): T | undefined {
    return this.entries.get(id)?.value;
  }

  /** A request of this session started; returns its end (call once, when the response is done). */
  begin(id: string): () => void {
    const entry = this.entries.get(id);
    if (entry === undefined) return () => {};
    entry.inFlight += 1;
    entry.lastSeen = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      entry.inFlight -= 1;
      entry.lastSeen = this.now();
    };
  }

  remove(id: string): T | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry?.value;
  }

  /** Removes and returns the sessions idle for longer than the timeout. */
  takeExpired(): Array<{ id: string; value: T; idleMs: number }> {
    const now = this.now();
    const expired: Array<{ id: string; value: T; idleMs: number }> = [];
    for (const [id, entry] of this.entries) {
      const idleMs = now - entry.lastSeen;
      if (entry.inFlight === 0 && idleMs > this.limits.idleTimeoutMs) {
        this.entries.delete(id);
        expired.push({ id, value: entry.value, idleMs });
      }
    }
    return expired;
  }

  takeAll(): T[] {
    const all = [...this.entries.values()].map((entry) => entry.value);
    this.entries.clear();
    return all;
  }
}
