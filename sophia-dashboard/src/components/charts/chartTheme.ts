import type { CSSProperties } from 'react';

// Recharts draws SVG; colors are CSS custom properties so the charts follow the light/dark theme
// without re-rendering.
export const SERIES = {
  resolved: 'var(--chart-1)',
  escalated: 'var(--chart-2)',
  p50: 'var(--chart-3)',
  p95: 'var(--chart-4)',
} as const;

export const CHART_HEIGHT = 260;

export const axisTick = { fill: 'var(--text-muted)', fontSize: 12 };

export const gridStroke = 'var(--grid)';

export const tooltipContentStyle: CSSProperties = {
  background: 'var(--surface)',
  border: '1px solid var(--border)',
  borderRadius: 10,
  boxShadow: 'var(--shadow-md)',
  color: 'var(--text)',
  fontSize: 13,
};

export const tooltipLabelStyle: CSSProperties = { color: 'var(--text)', fontWeight: 600, marginBottom: 4 };

export const ANIMATION_MS = 500;
