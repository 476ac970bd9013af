import { type ReactNode, useId } from 'react';
import './ChartCard.css';

export interface DataTable {
  caption: string;
  columns: readonly string[];
  rows: ReadonlyArray<{ key: string; cells: readonly string[] }>;
}

export interface LegendEntry {
  label: string;
  /** A CSS color, usually a `var(--chart-n)` token. */
  color: string;
}

export interface ChartCardProps {
  title: string;
  /** One or two sentences a screen reader announces with the chart: what it shows and the headline. */
  description: string;
  legend: readonly LegendEntry[];
  /** The same numbers as the chart, for people who cannot see it (and anyone who wants exact values). */
  table: DataTable;
  wide?: boolean;
  children: ReactNode;
}

/** A chart as a named, described figure with a legend and its data as a table. */
export function ChartCard({ title, description, legend, table, wide = false, children }: ChartCardProps) {
  const titleId = useId();
  const descriptionId = useId();
  return (
    <figure
      className={wide ? 'chart-card chart-card--wide' : 'chart-card'}
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
    >
      <figcaption className="chart-card__caption">
        <h3 id={titleId} className="chart-card__title">
          {title}
        </h3>
        <p id={descriptionId} className="chart-card__description">
          {description}
        </p>
      </figcaption>
      <ul className="chart-card__legend" aria-label={`${title} legend`}>
        {legend.map((entry) => (
          <li key={entry.label}>
            <span className="chart-card__swatch" style={{ background: entry.color }} aria-hidden="true" />
            {entry.label}
          </li>
        ))}
      </ul>
      <div className="chart-card__plot">{children}</div>
      <details className="chart-card__data">
        <summary>Show the data</summary>
        <div className="chart-card__table-scroll">
          <table>
            <caption>{table.caption}</caption>
            <thead>
              <tr>
                {table.columns.map((column, index) => (
                  <th key={column} scope="col" className={index === 0 ? undefined : 'num'}>
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr key={row.key}>
                  {row.cells.map((cell, index) =>
                    index === 0 ? (
                      <th key={table.columns[index]} scope="row">
                        {cell}
                      </th>
                    ) : (
                      <td key={table.columns[index]} className="num">
                        {cell}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
