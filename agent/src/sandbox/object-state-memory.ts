import type { ObjectState } from './conditions.js';

/** An object the proxy saw exist, with what a copy-source condition compares. */
export type KnownObject = ObjectState & { exists: true };

/** When a state was observed: it may be remembered only if no write touched its key or bucket since. */
export interface Observation {
  readonly id: string;
  readonly keyGeneration: number;
  readonly bucketGeneration: number;
}

interface Entry {
  state: KnownObject;
  keyGeneration: number;
  bucketGeneration: number;
}

/** Far above a sandbox's working set (a few builds of a few thousand files); past it, start over. */
const MAX_ENTRIES = 200_000;

/**
 * What the sandbox's S3 proxy last saw of each object (its ETag and Last-Modified), so that a copy-source
 * condition (`x-amz-copy-source-if-match`), which the emulator ignores and the proxy must evaluate
 * itself, costs no extra request when the proxy already knows the source. Real S3 evaluates that header
 * for free; without this memory the proxy sent a HEAD to the emulator before every conditional copy —
 * 2,000 extra requests in a cold deploy of a 2,000-file build, a cost only the sandbox had.
 *
 * Never stale: every write to a key and every bulk write to a bucket moves a generation counter when it
 * starts and when it ends, an observation is kept only if neither moved while it was made, and nothing is
 * recalled while a write is in flight. Anything the memory cannot vouch for is answered with a HEAD.
 */
export class ObjectStateMemory {
  private readonly entries = new Map<string, Entry>();
  private readonly keyGenerations = new Map<string, number>();
  private readonly bucketGenerations = new Map<string, number>();
  private readonly keyWrites = new Map<string, number>();
  private readonly bucketWrites = new Map<string, number>();
  /** Keys whose write ended without an answer from the emulator: it may still land, so never vouch for them. */
  private readonly unsettled = new Set<string>();

  /** Taken before reading an object's state, and handed to `remember` with what was read. */
  observe(bucket: string, key: string): Observation {
    const id = objectId(bucket, key);
    return {
      id,
      keyGeneration: this.keyGenerations.get(id) ?? 0,
      bucketGeneration: this.bucketGenerations.get(bucket) ?? 0,
    };
  }

  /** Keeps `state` if nothing wrote the key or its bucket since `observation`; forgets the key otherwise. */
  remember(bucket: string, observation: Observation, state: ObjectState): void {
    if (!this.unchangedSince(bucket, observation) || !state.exists || this.unsettled.has(observation.id)) {
      this.entries.delete(observation.id);
      return;
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(observation.id, {
      state: { ...state, exists: true },
      keyGeneration: observation.keyGeneration,
      bucketGeneration: observation.bucketGeneration,
    });
  }

  /** The object's state as last seen, or undefined when it is unknown or may have changed since. */
  recall(bucket: string, key: string): KnownObject | undefined {
    const id = objectId(bucket, key);
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    const current: Observation = {
      id,
      keyGeneration: entry.keyGeneration,
      bucketGeneration: entry.bucketGeneration,
    };
    return this.unchangedSince(bucket, current) ? entry.state : undefined;
  }

  /**
   * A write to one key starts; the returned function ends it, with the object's state after a write
   * that succeeded and told it (a PutObject's ETag), so the next copy of it needs no HEAD, or with
   * 'unsettled' when the write was cut off before the emulator answered.
   */
  beginKeyWrite(bucket: string, key: string): (after?: KnownObject | 'unsettled') => void {
    const id = objectId(bucket, key);
    this.bump(this.keyGenerations, id);
    this.bump(this.keyWrites, id);
    const started: Observation = {
      id,
      keyGeneration: this.keyGenerations.get(id) ?? 0,
      bucketGeneration: this.bucketGenerations.get(bucket) ?? 0,
    };
    const bucketQuietAtStart = (this.bucketWrites.get(bucket) ?? 0) === 0;
    return once((after?: KnownObject | 'unsettled') => {
      this.bump(this.keyWrites, id, -1);
      if (after === 'unsettled') this.unsettled.add(id);
      this.bump(this.keyGenerations, id);
      // The write's own answer says what the key holds now, unless something else wrote it or its
      // bucket while it ran: then the next condition asks the emulator.
      const alone =
        bucketQuietAtStart &&
        (this.keyGenerations.get(id) ?? 0) === started.keyGeneration + 1 &&
        (this.bucketGenerations.get(bucket) ?? 0) === started.bucketGeneration;
      if (after !== undefined && after !== 'unsettled' && alone)
        this.remember(bucket, this.observe(bucket, key), after);
      else this.entries.delete(id);
    });
  }

  /** A write that may change any key of the bucket (DeleteObjects…) starts; the function ends it. */
  beginBucketWrite(bucket: string): () => void {
    this.bump(this.bucketGenerations, bucket);
    this.bump(this.bucketWrites, bucket);
    return once(() => {
      this.bump(this.bucketWrites, bucket, -1);
      this.bump(this.bucketGenerations, bucket);
    });
  }

  private unchangedSince(bucket: string, observation: Observation): boolean {
    return (
      (this.keyWrites.get(observation.id) ?? 0) === 0 &&
      (this.bucketWrites.get(bucket) ?? 0) === 0 &&
      (this.keyGenerations.get(observation.id) ?? 0) === observation.keyGeneration &&
      (this.bucketGenerations.get(bucket) ?? 0) === observation.bucketGeneration
    );
  }

  private bump(counters: Map<string, number>, id: string, by = 1): void {
    const next = (counters.get(id) ?? 0) + by;
    if (next === 0 && counters === this.keyWrites) counters.delete(id);
    else counters.set(id, next);
  }
}

function objectId(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

function once<A extends unknown[]>(run: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args) => {
    if (done) return;
    done = true;
    run(...args);
  };
}
