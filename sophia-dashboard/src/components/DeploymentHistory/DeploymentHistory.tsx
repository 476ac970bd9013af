import type { Deployment } from '../../api/deployments.js';
import type { Remote } from '../../api/remote.js';
import { formatDateTime, formatInteger, shortSha } from '../../format.js';
import { AlertIcon, RocketIcon } from '../Icons/Icons.js';
import './DeploymentHistory.css';

export interface DeploymentHistoryProps {
  deployments: Remote<Deployment[]>;
  /** The commit the page itself was built from; its release is marked "Live". */
  liveCommit?: string;
  /** How many of the newest releases to list. */
  limit?: number;
  onRetry: () => void;
}

function changes(d: Deployment): string {
  const parts = [
    d.copied !== undefined ? `${formatInteger(d.copied)} copied` : undefined,
    d.unchanged !== undefined ? `${formatInteger(d.unchanged)} unchanged` : undefined,
    d.deleted !== undefined ? `${formatInteger(d.deleted)} deleted` : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(' · ') : '—';
}

function isLive(d: Deployment, liveCommit: string | undefined): boolean {
  return liveCommit?.startsWith(d.commit.toLowerCase()) === true;
}

function Body({
  deployments,
  liveCommit,
  limit,
  onRetry,
}: Required<Omit<DeploymentHistoryProps, 'liveCommit'>> & {
  liveCommit?: string;
}) {
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
  if (deployments.state === 'absent' || deployments.value.length === 0) {
    return (
      <div className="deployments__empty">
        <span className="deployments__empty-icon">
          <RocketIcon />
        </span>
        <p className="deployments__empty-title">No deployments recorded yet</p>
        <p className="deployments__empty-text">
          When FrontendOps publishes <code>deployments.json</code> next to this page, the latest releases
          appear here.
        </p>
      </div>
    );
  }
  const shown = deployments.value.slice(0, limit);
  return (
    // Focusable so keyboard users can scroll the table sideways on a narrow screen (WCAG 2.1.1).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable container must be reachable by keyboard.
    // biome-ignore lint/a11y/useSemanticElements: <fieldset> is for form controls, not a scroll container.
    <div className="deployments__scroll" role="group" aria-label="Deployment history" tabIndex={0}>
      <table className="deployments__table">
        <caption className="sr-only">
          The {shown.length} most recent deployments, newest first
          {deployments.value.length > shown.length ? `, of ${deployments.value.length}` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Release</th>
            <th scope="col">Commit</th>
            <th scope="col">Trigger</th>
            <th scope="col">Requested by</th>
            <th scope="col">Finished</th>
            <th scope="col">Files</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => (
            <tr key={d.releaseId ?? `${d.commit}-${d.finishedAt}`}>
              <th scope="row">
                <span className="deployments__release">{d.tag ?? d.releaseId ?? 'untagged'}</span>
                {isLive(d, liveCommit) && <span className="badge badge--live">Live</span>}
              </th>
              <td>
                <code title={d.commit}>{shortSha(d.commit)}</code>
              </td>
              <td>{d.trigger ?? '—'}</td>
              <td>{d.requestedBy ?? '—'}</td>
              <td>
                <time dateTime={d.finishedAt}>{formatDateTime(d.finishedAt)}</time>
              </td>
              <td className="deployments__changes">{changes(d)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The release history from `/deployments.json`, with an empty state when nothing is published. */
export function DeploymentHistory({ deployments, liveCommit, limit = 8, onRetry }: DeploymentHistoryProps) {
  return (
    <section className="deployments" aria-labelledby="deployments-heading">
      <div className="section-head">
        <h2 id="deployments-heading">Deployments</h2>
        <p className="section-head__note">Releases of this dashboard, newest first</p>
      </div>
      <Body deployments={deployments} liveCommit={liveCommit} limit={limit} onRetry={onRetry} />
    </section>
  );
}
