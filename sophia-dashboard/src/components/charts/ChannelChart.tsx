import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChannelPoint } from '../../data/metrics.js';
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

export interface ChannelChartProps {
  data: readonly ChannelPoint[];
  title: string;
  description: string;
  animate: boolean;
}

const LABELS: Record<string, string> = { resolved: 'Resolved by Sophia', escalated: 'Handed to a human' };

/** Conversations per channel as horizontal stacked bars: resolved, then handed to a human. */
export function ChannelChart({ data, title, description, animate }: ChannelChartProps) {
  return (
    <BarChart
      responsive
      layout="vertical"
      style={{ width: '100%', height: CHART_HEIGHT }}
      data={[...data]}
      title={title}
      desc={description}
      margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
      barCategoryGap="28%"
    >
      <CartesianGrid stroke={gridStroke} horizontal={false} />
      <XAxis type="number" tick={axisTick} tickLine={false} axisLine={false} tickFormatter={formatCompact} />
      <YAxis type="category" dataKey="channel" tick={axisTick} tickLine={false} axisLine={false} width={84} />
      <Tooltip
        cursor={{ fill: 'var(--surface-2)' }}
        contentStyle={tooltipContentStyle}
        labelStyle={tooltipLabelStyle}
        formatter={(value, name) => [formatInteger(Number(value)), LABELS[String(name)] ?? String(name)]}
      />
      <Bar
        dataKey="resolved"
        name="resolved"
        stackId="channel"
        fill={SERIES.resolved}
        isAnimationActive={animate}
        animationDuration={ANIMATION_MS}
      />
      <Bar
        dataKey="escalated"
        name="escalated"
        stackId="channel"
        fill={SERIES.escalated}
        radius={[0, 6, 6, 0]}
        isAnimationActive={animate}
        animationDuration={ANIMATION_MS}
      />
    </BarChart>
  );
}
