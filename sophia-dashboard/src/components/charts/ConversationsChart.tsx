import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { DailyPoint } from '../../data/metrics.js';
import { formatCompact, formatInteger } from '../../format.js';
import {
  ANIMATION_MS,
  axisTick,
  CHART_HEIGHT,
  gridStroke,
  SERIES,
  tooltipContentStyle,
  tooltipLabelStyle,
} from './chartTheme.js';

export interface ConversationsChartProps {
  data: readonly DailyPoint[];
  title: string;
  description: string;
  animate: boolean;
}

const LABELS: Record<string, string> = { resolved: 'Resolved by Sophia', escalated: 'Handed to a human' };

/** Conversations per day, stacked: resolved by Sophia under handed to a human. */
export function ConversationsChart({ data, title, description, animate }: ConversationsChartProps) {
  return (
    <AreaChart
      responsive
      style={{ width: '100%', height: CHART_HEIGHT }}
      data={[...data]}
      title={title}
      desc={description}
      margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
    >
      <defs>
        <linearGradient id="fill-resolved" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" style={{ stopColor: SERIES.resolved, stopOpacity: 0.45 }} />
          <stop offset="100%" style={{ stopColor: SERIES.resolved, stopOpacity: 0.05 }} />
        </linearGradient>
        <linearGradient id="fill-escalated" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" style={{ stopColor: SERIES.escalated, stopOpacity: 0.5 }} />
          <stop offset="100%" style={{ stopColor: SERIES.escalated, stopOpacity: 0.08 }} />
        </linearGradient>
      </defs>
      <CartesianGrid stroke={gridStroke} vertical={false} />
      <XAxis dataKey="label" tick={axisTick} tickLine={false} axisLine={false} minTickGap={16} />
      <YAxis tick={axisTick} tickLine={false} axisLine={false} width={44} tickFormatter={formatCompact} />
      <Tooltip
        contentStyle={tooltipContentStyle}
        labelStyle={tooltipLabelStyle}
        formatter={(value, name) => [formatInteger(Number(value)), LABELS[String(name)] ?? String(name)]}
      />
      <Area
        type="monotone"
        dataKey="resolved"
        name="resolved"
        stackId="conversations"
        stroke={SERIES.resolved}
        strokeWidth={2}
        fill="url(#fill-resolved)"
        isAnimationActive={animate}
        animationDuration={ANIMATION_MS}
      />
      <Area
        type="monotone"
        dataKey="escalated"
        name="escalated"
        stackId="conversations"
        stroke={SERIES.escalated}
        strokeWidth={2}
        fill="url(#fill-escalated)"
        isAnimationActive={animate}
        animationDuration={ANIMATION_MS}
      />
    </AreaChart>
  );
}
