import { useMemo } from 'react';
import type { DeploymentHistoryData } from './api/deployments.js';
import type { Version } from './api/version.js';
import { ChartCard } from './components/ChartCard/ChartCard.js';
import { ChannelChart } from './components/charts/ChannelChart.js';
import { ConversationsChart } from './components/charts/ConversationsChart.js';
import { SERIES } from './components/charts/chartTheme.js';
import { ResponseTimeChart } from './components/charts/ResponseTimeChart.js';
import { DeploymentHistory } from './components/DeploymentHistory/DeploymentHistory.js';
import { Header } from './components/Header/Header.js';
import { KpiGrid } from './components/KpiGrid/KpiGrid.js';
import { describeChannels, describeConversations, describeResponseTimes } from './data/chartText.js';
import { channelSeries, computeKpis, dailySeries } from './data/metrics.js';
import type { OperationsData } from './data/operations.js';
import { formatDateTime, formatInteger, formatPercent } from './format.js';
import { useNow } from './hooks/useNow.js';
import { useReducedMotion } from './hooks/useReducedMotion.js';
import { type Loader, useRemote } from './hooks/useRemote.js';
import { type ThemeEnvironment, useTheme } from './hooks/useTheme.js';
import './App.css';

export interface AppProps {
  data: OperationsData;
  /** Both loaders must be stable (module-level) functions: a new function means a new fetch. */
  loadVersion: Loader<Version>;
  loadDeployments: Loader<DeploymentHistoryData>;
  themeEnvironment?: ThemeEnvironment;
  /** The clock relative times count from (default: the real one). Must be stable, like the loaders. */
  clock?: () => Date;
}

const systemClock = () => new Date();

export function App({ data, loadVersion, loadDeployments, themeEnvironment, clock = systemClock }: AppProps) {
  const { theme, toggle } = useTheme(themeEnvironment);
  const animate = !useReducedMotion();
  const version = useRemote(loadVersion).remote;
  const deployments = useRemote(loadDeployments);
  const now = useNow(clock);

  const view = useMemo(() => {
    const daily = dailySeries(data);
    const channels = channelSeries(data.channels);
    const first = daily[0]?.date;
    const last = daily[daily.length - 1]?.date;
    const periodLabel =
      first && last
        ? `${daily[0]?.label} – ${daily[daily.length - 1]?.label}, ${last.slice(0, 4)}`
        : 'no data in this period';
    return { daily, channels, periodLabel, kpis: computeKpis(data) };
  }, [data]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header
        product={data.product}
        environment={data.environment}
        version={version}
        theme={theme}
        onToggleTheme={toggle}
      />
      <main id="main" className="page" tabIndex={-1}>
        <div className="page__intro">
          <h1>Operations overview</h1>
          <p className="page__period">
            {view.periodLabel} · compared with the {data.periodDays} days before · data as of{' '}
            <time dateTime={data.generatedAt}>{formatDateTime(data.generatedAt)}</time>
          </p>
        </div>

        <KpiGrid kpis={view.kpis} periodLabel={view.periodLabel} />

        <section className="charts" aria-labelledby="charts-heading">
          <div className="section-head">
            <h2 id="charts-heading">Trends</h2>
            <p className="section-head__note">Daily, last {data.periodDays} days</p>
          </div>
          <div className="charts__grid">
            <ChartCard
              wide
              title="Conversations per day"
              description={describeConversations(view.daily)}
              legend={[
                { label: 'Resolved by Sophia', color: SERIES.resolved },
                { label: 'Handed to a human', color: SERIES.escalated },
              ]}
              table={{
                caption: 'Conversations per day',
                columns: ['Day', 'Resolved by Sophia', 'Handed to a human', 'Total'],
                rows: view.daily.map((p) => ({
                  key: p.date,
                  cells: [
                    p.label,
                    formatInteger(p.resolved),
                    formatInteger(p.escalated),
                    formatInteger(p.resolved + p.escalated),
                  ],
                })),
              }}
            >
              <ConversationsChart
                data={view.daily}
                title="Conversations per day"
                description={describeConversations(view.daily)}
                animate={animate}
              />
            </ChartCard>
            <ChartCard
              title="First-reply time"
              description={describeResponseTimes(view.daily)}
              legend={[
                { label: 'Median (p50)', color: SERIES.p50 },
                { label: '95th percentile', color: SERIES.p95 },
              ]}
              table={{
                caption: 'Time to first reply per day, in seconds',
                columns: ['Day', 'Median (s)', '95th percentile (s)'],
                rows: view.daily.map((p) => ({
                  key: p.date,
                  cells: [p.label, p.p50.toFixed(2), p.p95.toFixed(2)],
                })),
              }}
            >
              <ResponseTimeChart
                data={view.daily}
                title="First-reply time"
                description={describeResponseTimes(view.daily)}
                animate={animate}
              />
            </ChartCard>
            <ChartCard
              title="Conversations by channel"
              description={describeChannels(view.channels)}
              legend={[
                { label: 'Resolved by Sophia', color: SERIES.resolved },
                { label: 'Handed to a human', color: SERIES.escalated },
              ]}
              table={{
                caption: `Conversations by channel, last ${data.periodDays} days`,
                columns: ['Channel', 'Conversations', 'Resolved by Sophia', 'Resolution rate'],
                rows: view.channels.map((c) => ({
                  key: c.channel,
                  cells: [
                    c.channel,
                    formatInteger(c.conversations),
                    formatInteger(c.resolved),
                    formatPercent(c.resolutionPct),
                  ],
                })),
              }}
            >
              <ChannelChart
                data={view.channels}
                title="Conversations by channel"
                description={describeChannels(view.channels)}
                animate={animate}
              />
            </ChartCard>
          </div>
        </section>

        <DeploymentHistory deployments={deployments.remote} now={now} onRetry={deployments.reload} />
      </main>
      <footer className="page-footer">
        <p>
          {data.product} Operations · static site deployed by FrontendOps ·{' '}
          <a href="/version.json">version.json</a>
        </p>
      </footer>
    </>
  );
}
