import type { DeploymentHistoryData, Release } from '../../api/deployments.js';
import type { Remote } from '../../api/remote.js';
import { formatDateTime, formatDuration, formatInteger, formatRelativeTime, shortSha } from '../../format.js';
import { AlertIcon, RocketIcon } from '../Icons/Icons.js';
import './DeploymentHistory.css';

export interface DeploymentHistoryProps {
  deployments: Remote<DeploymentHistoryData>;
  /** The time "3 minutes ago" is counted from. */
  now: Date;
  /** How many of the newest releases to list. */
  limit?: number;
  onRetry: () => void;
}

/** How the release manager names where a request came from. */
const TRIGGER_LABELS: Readonly<Record<string, string>> = {
  cli: 'CLI',
  chat: 'Chat',
  schedule: 'Timer',
  mcp: 'MCP',
  workflow: 'Workflow',
};

function triggerLabel(trigger: string): string {
  return TRIGGER_LABELS[trigger] ?? trigger;
}

function filesLabel(count: number | null): string {
  if (count === null) return '—';
  return `${formatInteger(count)} ${count === 1 ? 'file' : 'files'}`;
}

interface Badge {
  label: string;
  tone: 'live' | 'rollback' | 'warn' | 'muted';
}

/** What sets a release apart, in words (never colour alone). */
function badges(release: Release, live: boolean): Badge[] {
  const out: Badge[] = [];
  if (live) out.push({ label: 'Live', tone: 'live' });
  if (release.kind === 'rollback') out.push({ label: 'Rollback', tone: 'rollback' });
  if (release.kind === 'auto-rollback') out.push({ label: 'Automatic rollback', tone: 'rollback' });
  if (release.status === 'rolled_back') out.push({ label: 'Rolled back', tone: 'warn' });
  if (release.status === 'pending') out.push({ label: 'Unfinished', tone: 'muted' });
  return out;
}

function ReleaseRow({ release, live, now }: { release: Release; live: boolean; now: Date }) {
  const when = release.finishedAt ?? release.startedAt;
  return (
    <tr className={live ? 'deployments__row--live' : undefined} aria-current={live ? 'true' : undefined}>
      <th scope="row">
        <span className="deployments__release">{release.tag ?? 'untagged'}</span>
        {badges(release, live).map((badge) => (
          <span key={badge.label} className={`badge badge--${badge.tone}`}>
            {badge.label}
          </span>
        ))}
      </th>
      <td>
        <code title={release.commit}>{shortSha(release.commit)}</code>
      </td>
      <td className="deployments__subject" title={release.subject ?? undefined}>
        {release.subject ?? '—'}
      </td>
      <td>{triggerLabel(release.trigger)}</td>
      <td>{release.requestedBy}</td>
      <td>
        <time dateTime={when} title={formatDateTime(when)}>
          {formatRelativeTime(when, now)}
        </time>
      </td>
      <td>{release.durationMs === null ? '—' : formatDuration(release.durationMs)}</td>
      <td className="deployments__changes">{filesLabel(release.filesChanged)}</td>
    </tr>
  );
}

function Body({ deployments, now, limit, onRetry }: Required<DeploymentHistoryProps>) {
  if (deployments.state === 'loading') {
    return (
      <p className="deployments__message" role="status">
        Loading deployment history…
      </p>
    );
  }
  if (deployments.state === 'error') {
    return (
      <div className="deployments__message deployments__message--error" role="alert">
        <AlertIcon />
        <p>Deployment history could not be loaded: {deployments.message}.</p>
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (deployments.state === 'absent' || deployments.value.releases.length === 0) {
    return (
      <div className="deployments__empty">
        <span className="deployments__empty-icon">
          <RocketIcon />
        </span>
        <p className="deployments__empty-title">No deployments recorded yet</p>
        <p className="deployments__empty-text">
          FrontendOps publishes <code>deployments.json</code> next to this page with every deploy and
          rollback; the latest releases appear here.
        </p>
      </div>
    );
  }
  const { releases, live, stack } = deployments.value;
  const shown = releases.slice(0, limit);
  return (
    // Focusable so keyboard users can scroll the table sideways on a narrow screen (WCAG 2.1.1).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable container must be reachable by keyboard.
    // biome-ignore lint/a11y/useSemanticElements: <fieldset> is for form controls, not a scroll container.
    <div className="deployments__scroll" role="group" aria-label="Deployment history" tabIndex={0}>
      <table className="deployments__table">
        <caption className="sr-only">
          The {shown.length} most recent deployments of {stack}, newest first
          {releases.length > shown.length ? `, of ${releases.length}` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Release</th>
            <th scope="col">Commit</th>
            <th scope="col">Change</th>
            <th scope="col">Trigger</th>
            <th scope="col">Requested by</th>
            <th scope="col">When</th>
            <th scope="col">Duration</th>
            <th scope="col">Files changed</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((release) => (
            <ReleaseRow
              key={release.releaseId}
              release={release}
              live={release.releaseId === live}
              now={now}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The release history from `/deployments.json`: newest first, the live release and rollbacks marked in
 * words, relative times with the exact time in each `<time>`. An empty state when nothing is published.
 */
export function DeploymentHistory({ deployments, now, limit = 8, onRetry }: DeploymentHistoryProps) {
  return (
    <section className="deployments" aria-labelledby="deployments-heading">
      <div className="section-head">
        <h2 id="deployments-heading">Deployments</h2>
        <p className="section-head__note">Releases of this dashboard, newest first</p>
      </div>
      <Body deployments={deployments} now={now} limit={limit} onRetry={onRetry} />
    </section>
  );
}
