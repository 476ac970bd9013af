import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { DailyPoint } from '../../data/metrics.js';
import {
  ANIMATION_MS,
  axisTick,
  CHART_HEIGHT,
  gridStroke,
  SERIES,
  tooltipContentStyle,
  tooltipLabelStyle,
} from './chartTheme.js';

export interface ResponseTimeChartProps {
  data: readonly DailyPoint[];
  title: string;
  description: string;
  animate: boolean;
}

const LABELS: Record<string, string> = { p50: 'Median (p50)', p95: '95th percentile' };

/** Time to Sophia's first reply per day: median and 95th percentile, in seconds. */
export function ResponseTimeChart({ data, title, description, animate }: ResponseTimeChartProps) {
  return (
    <LineChart
      responsive
      style={{ width: '100%', height: CHART_HEIGHT }}
      data={[...data]}
      title={title}
      desc={description}
      margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
    >
      <CartesianGrid stroke={gridStroke} vertical={false} />
      <XAxis dataKey="label" tick={axisTick} tickLine={false} axisLine={false} minTickGap={16} />
      <YAxis
        tick={axisTick}
        tickLine={false}
        axisLine={false}
        width={44}
        tickFormatter={(value: number) => `${value} s`}
      />
      <Tooltip
        contentStyle={tooltipContentStyle}
        labelStyle={tooltipLabelStyle}
        formatter={(value, name) => [`${Number(value).toFixed(2)} s`, LABELS[String(name)] ?? String(name)]}
      />
      <Line
        type="monotone"
        dataKey="p95"
        name="p95"
        stroke={SERIES.p95}
        strokeWidth={2}
        dot={false}
        activeDot={{ r: 4 }}
        isAnimationActive={animate}
        animationDuration={ANIMATION_MS}
      />
      <Line
        type="monotone"
        dataKey="p50"
        name="p50"
        stroke={SERIES.p50}
        strokeWidth={2.5}
        dot={false}
        activeDot={{ r: 4 }}
        isAnimationActive={animate}
        animationDuration={ANIMATION_MS}
      />
    </LineChart>
  );
}
