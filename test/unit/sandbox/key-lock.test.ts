import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../../agent/src/sandbox/key-lock.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs work on one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const release: Array<() => void> = [];
    const job = (name: string) =>
      mutex.run('k', async () => {
        log.push(`start ${name}`);
        await new Promise<void>((resolve) => release.push(resolve));
        log.push(`end ${name}`);
      });
    const all = Promise.all([job('a'), job('b'), job('c')]);
    await tick();
    expect(log).toEqual(['start a']);
    release.shift()?.();
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    release.shift()?.();
    await tick();
    release.shift()?.();
    await all;
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(mutex.size).toBe(0);
  });

  it('runs different keys in parallel and releases the key when work throws', async () => {
    const mutex = new KeyedMutex();
    const running: string[] = [];
    let unblock!: () => void;
    const blocked = mutex.run('a', async () => {
      running.push('a');
      await new Promise<void>((resolve) => {
        unblock = resolve;
      });
    });
    await mutex.run('b', async () => {
      running.push('b');
    });
    expect(running).toEqual(['a', 'b']);
    unblock();
    await blocked;
    await expect(mutex.run('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await mutex.run('x', async () => 'after')).toBe('after');
    expect(mutex.size).toBe(0);
  });
});
