import { formatCompact, formatDay, formatInteger, formatPercent } from '../format.js';
import type { ChannelStats, DailyStats, OperationsData } from './operations.js';

export interface PeriodSummary {
  days: number;
  conversations: number;
  resolved: number;
  escalated: number;
  /** Share of conversations resolved without a human, 0–100. */
  resolutionPct: number;
  /** Conversation-weighted mean of the daily medians, in ms. */
  p50Ms: number;
  /** Conversation-weighted mean of the daily CSAT scores. */
  csat: number;
  /** Mean daily availability, 0–100. */
  availabilityPct: number;
}

/** Pure: totals and weighted means over a run of days. An empty run yields zeros. */
export function summarize(days: readonly DailyStats[]): PeriodSummary {
  let conversations = 0;
  let resolved = 0;
  let escalated = 0;
  let weightedP50 = 0;
  let weightedCsat = 0;
  let availability = 0;
  for (const day of days) {
    conversations += day.conversations;
    resolved += day.resolved;
    escalated += day.escalated;
    weightedP50 += day.p50Ms * day.conversations;
    weightedCsat += day.csat * day.conversations;
    availability += day.availabilityPct;
  }
  const perConversation = (total: number) => (conversations === 0 ? 0 : total / conversations);
  return {
    days: days.length,
    conversations,
    resolved,
    escalated,
    resolutionPct: perConversation(resolved) * 100,
    p50Ms: perConversation(weightedP50),
    csat: perConversation(weightedCsat),
    availabilityPct: days.length === 0 ? 0 : availability / days.length,
  };
}

/** Splits `daily` into the current period (the last `periodDays`) and the one before it. */
export function periods(data: Pick<OperationsData, 'daily' | 'periodDays'>): {
  current: DailyStats[];
  previous: DailyStats[];
} {
  const split = Math.max(0, data.daily.length - data.periodDays);
  return {
    current: data.daily.slice(split),
    previous: data.daily.slice(Math.max(0, split - data.periodDays), split),
  };
}

export type Tone = 'good' | 'bad' | 'neutral';
export type Direction = 'up' | 'down' | 'flat';

export interface KpiDelta {
  /** Signed, short: `+6.8%`, `−0.12 s`, `+1.4 pts`. */
  text: string;
  direction: Direction;
  tone: Tone;
  /** A sentence for screen readers: `up 6.8% on the previous 14 days`. */
  description: string;
}

export interface Kpi {
  id: string;
  label: string;
  value: string;
  /** What the number means, shown under it. */
  detail: string;
  delta?: KpiDelta;
}

type Better = 'higher' | 'lower';

const MINUS = '\u2212';

/**
 * Builds a delta. `change` is already in display units; values that round to zero are "flat" and
 * neutral, so the card never shows a red "+0.0".
 */
function delta(change: number, digits: number, unit: string, better: Better, baseline: string): KpiDelta {
  const rounded = Number(change.toFixed(digits));
  const direction: Direction = rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'flat';
  const magnitude = `${Math.abs(rounded).toFixed(digits)}${unit}`;
  const improving = (direction === 'up') === (better === 'higher');
  const tone: Tone = direction === 'flat' ? 'neutral' : improving ? 'good' : 'bad';
  const sign = direction === 'up' ? '+' : direction === 'down' ? MINUS : '±';
  const description =
    direction === 'flat' ? `unchanged on ${baseline}` : `${direction} ${magnitude.trim()} on ${baseline}`;
  return { text: `${sign}${magnitude}`, direction, tone, description };
}

/** The KPI cards: current period against the previous one. Pure. */
export function computeKpis(data: Pick<OperationsData, 'daily' | 'periodDays'>): Kpi[] {
  const { current, previous } = periods(data);
  const now = summarize(current);
  const before = summarize(previous);
  const hasBaseline = before.conversations > 0;
  const baseline = `the previous ${data.periodDays} days`;
  const withDelta = (kpi: Kpi, make: () => KpiDelta): Kpi => (hasBaseline ? { ...kpi, delta: make() } : kpi);
  const growthPct = hasBaseline
    ? ((now.conversations - before.conversations) / before.conversations) * 100
    : 0;

  return [
    withDelta(
      {
        id: 'conversations',
        label: 'Conversations',
        value: formatInteger(now.conversations),
        detail: `${formatCompact(now.conversations / Math.max(1, now.days))} a day on average`,
      },
      () => delta(growthPct, 1, '%', 'higher', baseline),
    ),
    withDelta(
      {
        id: 'resolution',
        label: 'Resolved by Sophia',
        value: formatPercent(now.resolutionPct),
        detail: `${formatInteger(now.escalated)} handed to a human`,
      },
      () => delta(now.resolutionPct - before.resolutionPct, 1, ' pts', 'higher', baseline),
    ),
    withDelta(
      {
        id: 'response',
        label: 'Median first reply',
        value: `${(now.p50Ms / 1000).toFixed(2)} s`,
        detail: 'time to Sophia’s first answer',
      },
      () => delta((now.p50Ms - before.p50Ms) / 1000, 2, ' s', 'lower', baseline),
    ),
    withDelta(
      {
        id: 'csat',
        label: 'Customer satisfaction',
        value: `${now.csat.toFixed(2)} / 5`,
        detail: 'mean post-chat rating',
      },
      () => delta(now.csat - before.csat, 2, '', 'higher', baseline),
    ),
    withDelta(
      {
        id: 'availability',
        label: 'Availability',
        value: formatPercent(now.availabilityPct, 2),
        detail: 'successful health checks',
      },
      () => delta(now.availabilityPct - before.availabilityPct, 2, ' pts', 'higher', baseline),
    ),
  ];
}

export interface DailyPoint {
  date: string;
  label: string;
  resolved: number;
  escalated: number;
  p50: number;
  p95: number;
}

/** Chart rows for the current period: counts, and reply times in seconds. Pure. */
export function dailySeries(data: Pick<OperationsData, 'daily' | 'periodDays'>): DailyPoint[] {
  return periods(data).current.map((day) => ({
    date: day.date,
    label: formatDay(day.date),
    resolved: day.resolved,
    escalated: day.escalated,
    p50: Number((day.p50Ms / 1000).toFixed(2)),
    p95: Number((day.p95Ms / 1000).toFixed(2)),
  }));
}

export interface ChannelPoint extends ChannelStats {
  resolutionPct: number;
}

/** Channels by volume, largest first, with their resolution rate. Pure. */
export function channelSeries(channels: readonly ChannelStats[]): ChannelPoint[] {
  return [...channels]
    .sort((a, b) => b.conversations - a.conversations)
    .map((c) => ({ ...c, resolutionPct: c.conversations === 0 ? 0 : (c.resolved / c.conversations) * 100 }));
}
