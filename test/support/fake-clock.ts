import type { Timers } from '../../agent/src/deploy/requests.js';

/**
 * A virtual clock for deadline logic: `now`, `timers` and `sleep` all run on it, and `run(promise)`
 * advances it from timer to timer whenever the code under test is idle. Nothing waits for real time,
 * and the elapsed virtual time is what a test asserts on.
 */
export class FakeClock {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fire: () => void }>();

  readonly now = (): number => this.time;

  readonly timers: Timers = {
    setTimeout: (callback, ms) => {
      const id = this.nextId++;
      this.pending.set(id, { at: this.time + Math.max(0, ms), fire: callback });
      return id;
    },
    clearTimeout: (handle) => {
      this.pending.delete(handle as number);
    },
  };

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.setTimeout(resolve, ms);
    });

  /** A promise that settles after `ms` of virtual time. */
  after<T>(ms: number, value: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.timers.setTimeout(() => {
        try {
          resolve(value());
        } catch (error) {
          reject(error);
        }
      }, ms);
    });
  }

  elapsed(): number {
    return this.time;
  }

  /** Drives `promise` to completion, jumping to each next timer whenever nothing else can happen. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    for (let steps = 0; steps < 100_000; steps += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return tracked;
      const next = [...this.pending.entries()].sort(([, a], [, b]) => a.at - b.at)[0];
      if (next === undefined)
        throw new Error('FakeClock: the promise waits on something that is not a timer');
      const [id, timer] = next;
      this.pending.delete(id);
      this.time = Math.max(this.time, timer.at);
      timer.fire();
    }
    throw new Error('FakeClock: too many steps');
  }
}
