import { describe, expect, it } from 'vitest';
import { allInOrder } from '../../../agent/src/agent/parallel-reads.js';

const settleAfter = <T>(ms: number, settle: () => T): Promise<T> =>
  new Promise((resolve) => setTimeout(resolve, ms)).then(settle);

describe('allInOrder', () => {
  it('returns every value in the listed order', async () => {
    const values = await allInOrder([settleAfter(20, () => 'slow'), settleAfter(1, () => 2), true]);
    expect(values).toEqual(['slow', 2, true]);
  });

  it("fails with the first listed read's error, not the first to fail in time (regression: status's error changed from run to run)", async () => {
    const first = settleAfter(30, () => {
      throw new Error('reading the release');
    });
    const second = settleAfter(1, () => {
      throw new Error('reading the lock');
    });
    await expect(allInOrder([first, second])).rejects.toThrow('reading the release');
  });

  it('waits for every read, so a later rejection is never left unhandled', async () => {
    let laterSettled = false;
    const later = settleAfter(20, () => {
      laterSettled = true;
      throw new Error('later');
    });
    await expect(allInOrder([Promise.reject(new Error('first')), later])).rejects.toThrow('first');
    expect(laterSettled).toBe(true);
  });
});
