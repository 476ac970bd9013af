import { describe, expect, it } from 'vitest';
import { chooseFault, FaultSettingsSchema, seededRandom } from '../../../agent/src/sandbox/faults.js';

const sequence =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0.999;

describe('chooseFault', () => {
  it('never fails at rate 0 and always at rate 1', () => {
    expect(chooseFault({ rate: 0 }, 'PutObject', sequence(0))).toBeUndefined();
    expect(chooseFault({ rate: 1, kinds: ['slowdown'] }, 'PutObject', sequence(0.999, 0))).toBe('slowdown');
  });

  it('fails when the draw falls below the rate and picks the kind with a second draw', () => {
    const settings = { rate: 0.25, kinds: ['slowdown', 'internal', 'reset'] as const };
    expect(
      chooseFault({ ...settings, kinds: [...settings.kinds] }, 'GetObject', sequence(0.3)),
    ).toBeUndefined();
    expect(chooseFault({ ...settings, kinds: [...settings.kinds] }, 'GetObject', sequence(0.2, 0.5))).toBe(
      'internal',
    );
    expect(chooseFault({ ...settings, kinds: [...settings.kinds] }, 'GetObject', sequence(0.2, 0.99))).toBe(
      'reset',
    );
  });

  it('offers a 200-with-error body only to operations S3 can answer that way', () => {
    expect(chooseFault({ rate: 1, kinds: ['copy-error-body'] }, 'PutObject', sequence(0, 0))).toBeUndefined();
    expect(chooseFault({ rate: 1, kinds: ['copy-error-body'] }, 'CopyObject', sequence(0, 0))).toBe(
      'copy-error-body',
    );
    expect(chooseFault({ rate: 1, kinds: ['copy-error-body'] }, 'UploadPartCopy', sequence(0, 0))).toBe(
      'copy-error-body',
    );
    expect(chooseFault({ rate: 1 }, 'GetObject', sequence(0, 0.999))).toBe('reset');
  });

  it('validates settings: rate within 0..1 and known kinds', () => {
    expect(FaultSettingsSchema.safeParse({ rate: 1.2 }).success).toBe(false);
    expect(FaultSettingsSchema.safeParse({ rate: 0.5, kinds: ['meteor'] }).success).toBe(false);
    expect(FaultSettingsSchema.safeParse({ rate: 0.5, kinds: [] }).success).toBe(false);
    expect(FaultSettingsSchema.parse({ rate: 0.5, kinds: ['reset'] })).toEqual({
      rate: 0.5,
      kinds: ['reset'],
    });
  });
});

describe('seededRandom', () => {
  it('replays the same sequence for the same seed and a different one for another seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    for (const value of first) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
