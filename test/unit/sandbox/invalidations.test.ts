import { afterEach, describe, expect, it } from 'vitest';
import {
  cloudFrontStyleId,
  InvalidationStore,
  validateInvalidationPaths,
} from '../../../agent/src/sandbox/invalidations.js';

const stores: InvalidationStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** A store on a hand-driven clock; the real timer is far in the future and cancelled after each test. */
function makeStore() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const purged: string[][] = [];
  let ids = 0;
  const store = new InvalidationStore({
    delayMs: 1_000_000,
    onComplete: (paths) => purged.push([...paths]),
    now: () => new Date(now),
    newId: () => {
      ids += 1;
      return `I${String(ids).padStart(13, '0')}`;
    },
  });
  stores.push(store);
  return {
    store,
    purged,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('InvalidationStore', () => {
  it('moves InProgress → Completed after the delay and purges exactly once', () => {
    const { store, purged, advance } = makeStore();
    const created = store.create('EDIST', 'ref-1', ['/index.html', '/assets/*']);
    expect(created).toMatchObject({ ok: true, created: true, invalidation: { status: 'InProgress' } });
    const id = created.ok ? created.invalidation.id : '';
    advance(999_999);
    expect(store.get('EDIST', id)?.status).toBe('InProgress');
    expect(purged).toEqual([]);
    advance(1);
    expect(store.get('EDIST', id)?.status).toBe('Completed');
    store.settleDue();
    expect(purged).toEqual([['/index.html', '/assets/*']]);
  });

  it('returns the earlier invalidation for a repeated CallerReference and refuses different paths under it', () => {
    const { store } = makeStore();
    const first = store.create('EDIST', 'ref', ['/a']);
    const again = store.create('EDIST', 'ref', ['/a']);
    expect(again).toMatchObject({ ok: true, created: false });
    expect(again.ok && first.ok && again.invalidation.id === first.invalidation.id).toBe(true);
    expect(store.create('EDIST', 'ref', ['/b'])).toMatchObject({
      ok: false,
      error: { status: 409, code: 'InvalidationBatchAlreadyExists' },
    });
  });

  it('enforces 15 wildcard paths and 3,000 file paths in progress per distribution', () => {
    const { store, advance } = makeStore();
    const wildcards = Array.from({ length: 15 }, (_, i) => `/w${i}/*`);
    expect(store.create('EDIST', 'w', wildcards).ok).toBe(true);
    expect(store.create('EDIST', 'w2', ['/x/*'])).toMatchObject({
      ok: false,
      error: { status: 400, code: 'TooManyInvalidationsInProgress' },
    });
    expect(store.create('EOTHER', 'w2', ['/x/*']).ok).toBe(true);
    const files = Array.from({ length: 3000 }, (_, i) => `/f${i}`);
    expect(store.create('EDIST', 'files', files).ok).toBe(true);
    expect(store.create('EDIST', 'one-more', ['/g'])).toMatchObject({
      ok: false,
      error: { code: 'TooManyInvalidationsInProgress' },
    });
    advance(1_000_000);
    expect(store.create('EDIST', 'after', ['/g', '/y/*']).ok).toBe(true);
  });

  it('refuses a single batch over 3,000 file paths as BatchTooLarge', () => {
    const { store } = makeStore();
    const files = Array.from({ length: 3001 }, (_, i) => `/f${i}`);
    expect(store.create('EDIST', 'big', files)).toMatchObject({
      ok: false,
      error: { status: 413, code: 'BatchTooLarge' },
    });
  });

  it('lists newest first and counts in-progress batches', () => {
    const { store, advance } = makeStore();
    store.create('EDIST', 'a', ['/a']);
    advance(10);
    store.create('EDIST', 'b', ['/b']);
    expect(store.list('EDIST').map((inv) => inv.callerReference)).toEqual(['b', 'a']);
    expect(store.inProgressCount('EDIST')).toBe(2);
    expect(store.list('ENONE')).toEqual([]);
  });
});

describe('validateInvalidationPaths', () => {
  it('needs at least one path, each starting with / and with * only at the end', () => {
    expect(validateInvalidationPaths([])).toMatchObject({ code: 'InvalidArgument' });
    expect(validateInvalidationPaths(['index.html'])).toMatchObject({ code: 'InvalidArgument' });
    expect(validateInvalidationPaths(['/a*/b'])).toMatchObject({ code: 'InvalidArgument' });
    expect(validateInvalidationPaths(['/', '/*', '/assets/*', '/a b.html'])).toBeUndefined();
  });
});

describe('cloudFrontStyleId', () => {
  it('makes upper-case alphanumeric ids with the prefix, as CloudFront ids look', () => {
    expect(cloudFrontStyleId('E')).toMatch(/^E[A-Z0-9]{13}$/);
    expect(cloudFrontStyleId('I', 10)).toMatch(/^I[A-Z0-9]{9}$/);
  });
});
