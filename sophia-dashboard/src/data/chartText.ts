import { formatInteger, formatPercent } from '../format.js';
import type { ChannelPoint, DailyPoint } from './metrics.js';

// Chart descriptions: the headline a sighted reader takes from the picture, as a sentence for screen
// readers (each chart's figure is described by it). Pure.

function extreme<T>(items: readonly T[], score: (item: T) => number, pick: 'max' | 'min'): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (best === undefined || (pick === 'max' ? score(item) > score(best) : score(item) < score(best)))
      best = item;
  }
  return best;
}

export function describeConversations(points: readonly DailyPoint[]): string {
  const first = points[0];
  const last = points[points.length - 1];
  const busiest = extreme(points, (p) => p.resolved + p.escalated, 'max');
  if (!first || !last || !busiest) return 'No conversations in this period.';
  const resolved = points.reduce((sum, p) => sum + p.resolved, 0);
  const total = points.reduce((sum, p) => sum + p.resolved + p.escalated, 0);
  return (
    `Conversations per day from ${first.label} to ${last.label}: ${formatInteger(total)} in total, ` +
    `${formatPercent((resolved / total) * 100)} resolved by Sophia. ` +
    `Busiest day ${busiest.label} with ${formatInteger(busiest.resolved + busiest.escalated)}.`
  );
}

export function describeResponseTimes(points: readonly DailyPoint[]): string {
  const fastest = extreme(points, (p) => p.p50, 'min');
  const worstTail = extreme(points, (p) => p.p95, 'max');
  if (!fastest || !worstTail) return 'No reply times in this period.';
  return (
    `Median first-reply time per day ranged down to ${fastest.p50.toFixed(2)} s on ${fastest.label}; ` +
    `the 95th percentile peaked at ${worstTail.p95.toFixed(2)} s on ${worstTail.label}.`
  );
}

export function describeChannels(channels: readonly ChannelPoint[]): string {
  const top = channels[0];
  const best = extreme(channels, (c) => c.resolutionPct, 'max');
  const worst = extreme(channels, (c) => c.resolutionPct, 'min');
  if (!top || !best || !worst) return 'No channel data in this period.';
  return (
    `${top.channel} carries the most conversations (${formatInteger(top.conversations)}). ` +
    `Sophia resolves the most on ${best.channel} (${formatPercent(best.resolutionPct)}) ` +
    `and the least on ${worst.channel} (${formatPercent(worst.resolutionPct)}).`
  );
}
