import { describe, expect, it } from 'vitest';
import { ObjectStateMemory } from '../../../agent/src/sandbox/object-state-memory.js';

const seen = { exists: true as const, etag: '"v1"' };
const written = { exists: true as const, etag: '"v2"' };

describe('ObjectStateMemory', () => {
  it('recalls a state observed while nothing wrote the key', () => {
    const memory = new ObjectStateMemory();
    expect(memory.recall('b', 'k')).toBeUndefined();
    memory.remember('b', memory.observe('b', 'k'), seen);
    expect(memory.recall('b', 'k')).toEqual(seen);
    expect(memory.recall('b', 'other')).toBeUndefined();
    expect(memory.recall('other', 'k')).toBeUndefined();
  });

  it('does not keep an observation a write overlapped (it may have read the old object)', () => {
    const memory = new ObjectStateMemory();
    const observation = memory.observe('b', 'k');
    const end = memory.beginKeyWrite('b', 'k');
    end();
    memory.remember('b', observation, seen);
    expect(memory.recall('b', 'k')).toBeUndefined();
  });

  it('recalls nothing for a key while a write to it is in flight, and forgets it after', () => {
    const memory = new ObjectStateMemory();
    memory.remember('b', memory.observe('b', 'k'), seen);
    const end = memory.beginKeyWrite('b', 'k');
    expect(memory.recall('b', 'k')).toBeUndefined();
    end();
    expect(memory.recall('b', 'k')).toBeUndefined();
  });

  it("keeps a write's own answer as the new state", () => {
    const memory = new ObjectStateMemory();
    memory.remember('b', memory.observe('b', 'k'), seen);
    memory.beginKeyWrite('b', 'k')(written);
    expect(memory.recall('b', 'k')).toEqual(written);
  });

  it("does not keep a write's answer when a bulk write to its bucket ran meanwhile", () => {
    const memory = new ObjectStateMemory();
    const end = memory.beginKeyWrite('b', 'k');
    memory.beginBucketWrite('b')();
    end(written);
    expect(memory.recall('b', 'k')).toBeUndefined();
  });

  it("forgets every key of a bucket on a bulk write (DeleteObjects), not other buckets' keys", () => {
    const memory = new ObjectStateMemory();
    memory.remember('b', memory.observe('b', 'k'), seen);
    memory.remember('c', memory.observe('c', 'k'), seen);
    const end = memory.beginBucketWrite('b');
    expect(memory.recall('b', 'k')).toBeUndefined();
    const during = memory.observe('b', 'k');
    end();
    memory.remember('b', during, seen);
    expect(memory.recall('b', 'k')).toBeUndefined();
    expect(memory.recall('c', 'k')).toEqual(seen);
  });

  it('never vouches again for a key whose write was cut off before the emulator answered (it may still land)', () => {
    const memory = new ObjectStateMemory();
    memory.beginKeyWrite('b', 'k')('unsettled');
    memory.remember('b', memory.observe('b', 'k'), seen);
    expect(memory.recall('b', 'k')).toBeUndefined();
  });

  it('does not remember a missing object (its absence is asked each time)', () => {
    const memory = new ObjectStateMemory();
    memory.remember('b', memory.observe('b', 'k'), { exists: false });
    expect(memory.recall('b', 'k')).toBeUndefined();
  });
});
