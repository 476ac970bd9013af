import type { Remote } from '../../api/remote.js';
import type { Version } from '../../api/version.js';
import { formatDateTime, shortSha } from '../../format.js';
import { ClockIcon, CommitIcon } from '../Icons/Icons.js';
import './VersionBadge.css';

export interface VersionBadgeProps {
  version: Remote<Version>;
}

/**
 * The live version, from `/version.json`. The full commit is in `data-commit` and the tooltip; the
 * visible text is the 7-character short sha that `git log --oneline` prints.
 */
export function VersionBadge({ version }: VersionBadgeProps) {
  if (version.state === 'loading') {
    return (
      <p className="version version--muted" role="status">
        Checking version…
      </p>
    );
  }
  if (version.state !== 'ok') {
    const why = version.state === 'absent' ? 'no version.json' : version.message;
    return (
      <p className="version version--muted" title={why}>
        Version unknown
      </p>
    );
  }
  const { commit, builtAt } = version.value;
  return (
    // biome-ignore lint/a11y/useSemanticElements: <fieldset> is for form controls; this groups read-only facts.
    <div role="group" aria-label="Live version">
      <dl className="version" data-commit={commit}>
        <div className="version__item">
          <dt>
            <CommitIcon />
            <span className="sr-only">Commit</span>
          </dt>
          <dd>
            <code title={commit}>{shortSha(commit)}</code>
          </dd>
        </div>
        <div className="version__item">
          <dt>
            <ClockIcon />
            <span className="sr-only">Built</span>
          </dt>
          <dd>
            <time dateTime={builtAt}>{formatDateTime(builtAt)}</time>
          </dd>
        </div>
      </dl>
    </div>
  );
}
