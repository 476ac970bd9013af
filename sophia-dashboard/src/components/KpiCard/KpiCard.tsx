import { useId } from 'react';
import type { Kpi } from '../../data/metrics.js';
import './KpiCard.css';

export interface KpiCardProps {
  kpi: Kpi;
}

const ARROWS = { up: '\u2191', down: '\u2193', flat: '\u2192' } as const;

/** One metric: a card named by its label, holding the value, what it means, and the change on the baseline period. */
export function KpiCard({ kpi }: KpiCardProps) {
  const labelId = useId();
  return (
    <article className="kpi" aria-labelledby={labelId}>
      <h3 className="kpi__label" id={labelId}>
        {kpi.label}
      </h3>
      <p className="kpi__value">{kpi.value}</p>
      <p className="kpi__detail">{kpi.detail}</p>
      {kpi.delta && (
        <p className={`kpi__delta kpi__delta--${kpi.delta.tone}`}>
          <span aria-hidden="true">
            {ARROWS[kpi.delta.direction]} {kpi.delta.text}
          </span>
          <span className="sr-only">{kpi.delta.description}</span>
          <span className="kpi__baseline" aria-hidden="true">
            vs previous period
          </span>
        </p>
      )}
    </article>
  );
}
