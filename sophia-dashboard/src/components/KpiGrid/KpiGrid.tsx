import type { Kpi } from '../../data/metrics.js';
import { KpiCard } from '../KpiCard/KpiCard.js';
import './KpiGrid.css';

export interface KpiGridProps {
  kpis: readonly Kpi[];
  /** e.g. "Nov 9 – Nov 22, 2026" */
  periodLabel: string;
}

export function KpiGrid({ kpis, periodLabel }: KpiGridProps) {
  return (
    <section className="kpi-grid" aria-labelledby="kpi-heading">
      <h2 id="kpi-heading" className="sr-only">
        Key metrics, {periodLabel}
      </h2>
      <ul className="kpi-grid__list">
        {kpis.map((kpi) => (
          <li key={kpi.id}>
            <KpiCard kpi={kpi} />
          </li>
        ))}
      </ul>
    </section>
  );
}
