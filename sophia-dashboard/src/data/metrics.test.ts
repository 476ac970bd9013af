import { describe, expect, it } from 'vitest';
import { day, smallOperations } from '../testing/fixtures.js';
import { channelSeries, computeKpis, dailySeries, periods, summarize } from './metrics.js';
import { operations } from './operations.js';

describe('summarize', () => {
  it('weights reply times and satisfaction by conversations, and averages availability per day', () => {
    const summary = summarize([
      day('2026-11-21', { conversations: 300, resolved: 150, p50Ms: 1000, csat: 4, availabilityPct: 100 }),
      day('2026-11-22', { conversations: 100, resolved: 100, p50Ms: 3000, csat: 5, availabilityPct: 99 }),
    ]);
    expect(summary.conversations).toBe(400);
    expect(summary.resolutionPct).toBeCloseTo(62.5);
    expect(summary.p50Ms).toBeCloseTo(1500);
    expect(summary.csat).toBeCloseTo(4.25);
    expect(summary.availabilityPct).toBeCloseTo(99.5);
  });

  it('yields zeros for an empty period instead of NaN', () => {
    expect(summarize([])).toMatchObject({
      conversations: 0,
      resolutionPct: 0,
      p50Ms: 0,
      csat: 0,
      availabilityPct: 0,
    });
  });
});

describe('computeKpis', () => {
  it('compares the current period with the previous one', () => {
    const kpis = Object.fromEntries(computeKpis(smallOperations).map((k) => [k.id, k]));
    expect(kpis.conversations?.value).toBe('2,200');
    expect(kpis.conversations?.delta).toMatchObject({ text: '+10.0%', direction: 'up', tone: 'good' });
    expect(kpis.resolution?.value).toBe('77.3%');
    expect(kpis.resolution?.delta).toMatchObject({ text: '+7.3 pts', tone: 'good' });
    expect(kpis.resolution?.delta?.description).toBe('up 7.3 pts on the previous 2 days');
  });

  it('counts a faster reply as good news although the number went down', () => {
    const response = computeKpis(smallOperations).find((k) => k.id === 'response');
    // (1200·1.8 s + 1000·1.6 s) / 2200 = 1.71 s, against 2.00 s before.
    expect(response?.value).toBe('1.71 s');
    expect(response?.delta).toMatchObject({ text: '\u22120.29 s', direction: 'down', tone: 'good' });
  });

  it('calls a change that rounds to zero flat and neutral, never "+0.0"', () => {
    const csat = computeKpis(smallOperations).find((k) => k.id === 'csat');
    expect(csat?.delta).toMatchObject({ text: '±0.00', direction: 'flat', tone: 'neutral' });
    expect(csat?.delta?.description).toBe('unchanged on the previous 2 days');
  });

  it('shows no deltas when there is no baseline period', () => {
    const kpis = computeKpis({ periodDays: 2, daily: smallOperations.daily.slice(2) });
    expect(kpis).toHaveLength(5);
    expect(kpis.every((k) => k.delta === undefined)).toBe(true);
  });
});

describe('chart series', () => {
  it('plots only the current period, reply times in seconds', () => {
    const series = dailySeries(smallOperations);
    expect(series.map((p) => p.label)).toEqual(['Nov 21', 'Nov 22']);
    expect(series[1]).toMatchObject({ resolved: 800, escalated: 200, p50: 1.6, p95: 5 });
  });

  it('orders channels by volume with their resolution rate', () => {
    const channels = channelSeries(smallOperations.channels);
    expect(channels.map((c) => c.channel)).toEqual(['Web chat', 'Email']);
    expect(channels[0]?.resolutionPct).toBeCloseTo(80);
  });
});

describe('the bundled operations data', () => {
  it('holds a current and a baseline period, so every KPI has a delta', () => {
    const { current, previous } = periods(operations);
    expect(current).toHaveLength(operations.periodDays);
    expect(previous).toHaveLength(operations.periodDays);
    expect(computeKpis(operations).every((k) => k.delta !== undefined)).toBe(true);
  });

  it('is internally consistent: days add up, and channels add up to the current period', () => {
    for (const d of operations.daily) expect(d.resolved + d.escalated).toBe(d.conversations);
    const current = summarize(periods(operations).current);
    const byChannel = operations.channels.reduce(
      (sum, c) => ({
        conversations: sum.conversations + c.conversations,
        resolved: sum.resolved + c.resolved,
      }),
      { conversations: 0, resolved: 0 },
    );
    expect(byChannel).toEqual({ conversations: current.conversations, resolved: current.resolved });
  });
});
