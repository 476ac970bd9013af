import { describe, expect, it } from 'vitest';
import { formatDuration, formatRelativeTime } from './format.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

describe('formatRelativeTime', () => {
  it.each([
    [0, 'just now'],
    [44, 'just now'],
    [60, '1 minute ago'],
    [3 * 60, '3 minutes ago'],
    [44 * 60, '44 minutes ago'],
    [2 * 3600, '2 hours ago'],
    [21 * 3600, '21 hours ago'],
    [30 * 3600, '1 day ago'],
    [5 * 86_400, '5 days ago'],
    [60 * 86_400, '2 months ago'],
    [400 * 86_400, '1 year ago'],
  ])('%i s ago reads "%s"', (seconds, text) => {
    expect(formatRelativeTime(ago(seconds), NOW)).toBe(text);
  });

  it('says "in …" for a time ahead of this clock (a skewed visitor clock)', () => {
    expect(formatRelativeTime(ago(-10 * 60), NOW)).toBe('in 10 minutes');
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [42_000, '42 s'],
    [60_000, '1 min'],
    [65_000, '1 min 5 s'],
    [3_600_000, '1 h'],
    [3_720_000, '1 h 2 min'],
  ])('%i ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
