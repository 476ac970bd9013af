import type { DeployReport } from '../deploy/pipeline.js';
import type { PlanSummary } from '../deploy/plan.js';
import type { Confirmation, DeployOutcome, HistoryEntry, ReleaseLabel, StatusReport } from './flow.js';

/**
 * Human text and JSON for what the flow did. Text that came from the repository (commit subjects) is
 * untrusted: it is stripped of control characters (no terminal escapes) and shortened before printing.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function displayText(text: string | undefined, max = 72): string {
  if (text === undefined) return '';
  const clean = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

export function short(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 7) : '(none)';
}

function quoted(subject: string | undefined): string {
  const text = displayText(subject);
  return text === '' ? '' : ` "${text}"`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** A release as people read it: `dashboard-deploy-20261123-1 (3f2a9c1)`, or the short commit. */
export function labelText(label: ReleaseLabel | undefined): string {
  if (label === undefined) return '(nothing)';
  return label.tag ? `${label.tag} (${short(label.commit)})` : short(label.commit);
}

function planDetails(plan: PlanSummary): string[] {
  const phases = plan.copy.byPhase;
  const lines = [
    `  copy ${plan.copy.total} file(s), ${bytes(plan.copy.bytes)}: ${phases.immutable} hashed asset(s), ` +
      `${phases.other} other, ${phases.html} HTML, ${phases.index} index page(s) last`,
    `  unchanged ${plan.unchanged}, delete later ${plan.deleteLater}, kept for old pages ${plan.deferredDeletes}`,
    `  invalidate: ${plan.invalidate.length === 0 ? '(nothing)' : plan.invalidate.join(' ')}`,
  ];
  if (plan.sample.copy.length > 0) {
    const more = plan.copy.total - plan.sample.copy.length;
    lines.push(`  e.g. ${plan.sample.copy.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`);
  }
  lines.push(...formatUnknown(plan));
  return lines;
}

/**
 * What applying the plan does, in one line: `Deploy 3f2a9c1 "subject" to STACK (live now: …)` or
 * `Roll back STACK from <tag/commit> to <tag/commit> "subject"` — the subject is the target commit's own.
 */
export function actionLine(confirmation: Confirmation): string {
  const { action, stack, from, to, plan } = confirmation;
  if (action === 'rollback') {
    return `Roll back ${stack} from ${labelText(from)} to ${labelText(to)}${quoted(to.subject)}`;
  }
  const live = from ?? (plan.previousCommit ? { commit: plan.previousCommit } : undefined);
  return `Deploy ${labelText(to)}${quoted(to.subject)} to ${stack} (${live ? `live now: ${labelText(live)}` : 'nothing live yet'})`;
}

/** The plan as a person reviews it: the action line, then what will be copied, kept and invalidated. */
export function formatPlan(confirmation: Confirmation): string {
  return [actionLine(confirmation), ...planDetails(confirmation.plan)].join('\n');
}

/** The confirmation question: the plan, then the action once more, `[y/N]`. */
export function confirmQuestion(confirmation: Confirmation): string {
  const { action, stack, from, to } = confirmation;
  const question =
    action === 'rollback'
      ? `Roll back ${stack} from ${labelText(from)} to ${labelText(to)}?`
      : `Deploy ${labelText(to)} to ${stack}?`;
  return `${formatPlan(confirmation)}\n${question} [y/N] `;
}

function confirmationOf(outcome: DeployOutcome): Confirmation {
  return {
    action: outcome.action,
    stack: outcome.stack,
    plan: outcome.report.plan,
    from: outcome.from,
    to: outcome.target,
  };
}

/**
 * The objects in the destination that no release knows: listed (keys come from the bucket, so they
 * are cleaned for the terminal) with the adoption id that deletes exactly this set.
 */
export function formatUnknown(plan: PlanSummary): string[] {
  const unknown = plan.unknown;
  if (unknown.count === 0) return [];
  const lines = [
    unknown.adopted
      ? `  adopting ${unknown.count} object(s) no release knows (${bytes(unknown.bytes)}, adoption id ${unknown.adoptionId}): they are deleted after the invalidation`
      : `  keeping ${unknown.count} object(s) no release knows (${bytes(unknown.bytes)}); the engine deletes only what it deployed:`,
  ];
  for (const object of unknown.objects) lines.push(`    ${displayText(object.path, 120)}  ${object.etag}`);
  const more = unknown.count - unknown.objects.length;
  if (more > 0) lines.push(`    (+${more} more)`);
  if (!unknown.adopted && unknown.adoptionId !== null) {
    lines.push(
      `  to delete exactly these, run \`frontendops deploy --adopt ${unknown.adoptionId}\` (refused if the set changes)`,
    );
  }
  return lines;
}

/** After a deploy: what was kept because no release knows it (undefined when nothing was). */
export function keptUnknownLine(plan: PlanSummary): string | undefined {
  if (plan.unknown.count === 0 || plan.unknown.adopted) return undefined;
  return `  kept ${plan.unknown.count} object(s) no release knows; \`frontendops deploy --dry-run\` lists them with their adoption id`;
}

/** The one style for outcomes: `Deployed …`, `Rolled back …`, `Nothing to do …`, or a dry run's plan. */
export function formatDeployOutcome(outcome: DeployOutcome): string {
  const { report, stack, target } = outcome;
  switch (report.status) {
    case 'noop':
      return `Nothing to do — ${labelText(target)}${quoted(target.subject)} is already live on ${stack}.`;
    case 'planned':
      return `Dry run — nothing changed. The plan:\n${formatPlan(confirmationOf(outcome))}`;
    case 'deployed': {
      const done =
        outcome.action === 'rollback'
          ? `Rolled back ${stack} from ${labelText(outcome.from)} to ${labelText(target)}${quoted(target.subject)}`
          : `Deployed ${short(target.commit)}${quoted(target.subject)} to ${stack}`;
      const lines = [
        `${done}${report.tag ? ` as ${report.tag}` : ''}.`,
        `  copied ${report.copied}, unchanged ${report.unchanged}, deleted ${report.deleted}, ` +
          `kept for old pages ${report.deferredDeletes}` +
          (report.invalidationId ? `, invalidation ${report.invalidationId}` : ''),
        `  verify: ${report.verify.status}${report.verify.note ? ` (${report.verify.note})` : ''}`,
      ];
      if (outcome.url) lines.push(`  live at ${outcome.url}`);
      const kept = keptUnknownLine(report.plan);
      if (kept) lines.push(kept);
      for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
      return lines.join('\n');
    }
  }
}

/**
 * A release that went live but did not finish: which steps are missing and the command that
 * finishes them (exit 4).
 */
export function formatIncompleteRelease(args: {
  stack: string;
  release: ReleaseLabel;
  missing: readonly string[];
  finish: string;
}): string {
  return (
    `Incomplete [RELEASE_INCOMPLETE] ${labelText(args.release)}${quoted(args.release.subject)} is live on ${args.stack}, ` +
    `but ${args.missing.join(', ')} did not finish.\nhint: ${args.finish}`
  );
}

/** A release that went live, failed its health check, and was replaced by the previous one (exit 5). */
export function formatAutoRollback(args: {
  stack: string;
  failed: ReleaseLabel;
  restored: ReleaseLabel;
  reason: string;
}): string {
  return (
    `Rolled back [HEALTH_CHECK_FAILED] ${labelText(args.failed)}${quoted(args.failed.subject)} went live on ${args.stack} ` +
    `but failed its health check (${args.reason}); ${labelText(args.restored)} is live again.\n` +
    'hint: Fix the build, publish it again, then `frontendops deploy --commit SHA`.'
  );
}

/**
 * The `--json` result of every deploy, whatever asked for it: the engine's keys plus the deploy `tag`,
 * and `code`/`message` when refused, cancelled or failed.
 */
export type DeployJson = {
  status: 'deployed' | 'noop' | 'planned' | 'refused' | 'cancelled' | 'failed' | 'incomplete' | 'rolled_back';
  commit: string;
  copied: number | null;
  unchanged: number | null;
  deleted: number | null;
  deferredDeletes: number | null;
  invalidationId: string | null;
  requests: Record<string, number>;
  durationMs: number | null;
  /** The deploy tag, once the release is tagged; null when nothing was tagged. */
  tag: string | null;
  /**
   * Objects in the destination that no release knows (kept unless adopted), with the id that
   * `deploy --adopt` takes; absent when there are none.
   */
  adoption?: {
    id: string;
    adopted: boolean;
    count: number;
    objects: Array<{ path: string; etag: string; size: number }>;
  };
  code?: string;
  message?: string;
};

export function deployJson(report: DeployReport): DeployJson {
  return {
    status: report.status,
    commit: report.commit,
    copied: report.copied,
    unchanged: report.unchanged,
    deleted: report.deleted,
    deferredDeletes: report.deferredDeletes,
    invalidationId: report.invalidationId ?? null,
    requests: report.requests,
    durationMs: report.durationMs,
    tag: report.tag ?? null,
    ...(report.plan.unknown.adoptionId === null
      ? {}
      : {
          adoption: {
            id: report.plan.unknown.adoptionId,
            adopted: report.plan.unknown.adopted,
            count: report.plan.unknown.count,
            objects: report.plan.unknown.objects,
          },
        }),
  };
}

export function deployOutcomeJson(outcome: DeployOutcome): DeployJson {
  return deployJson(outcome.report);
}

export function formatStatus(status: StatusReport): string {
  const lines = [`${status.stack}${status.url ? ` at ${status.url}` : ''}`];
  if (status.live) {
    const { live } = status;
    lines.push(
      `  live:   ${short(live.commit)}${live.tag ? ` ${live.tag}` : ''} ` +
        `(${live.trigger} by ${displayText(live.requestedBy, 40)}, ${live.finishedAt})`,
    );
  } else {
    lines.push('  live:   nothing deployed yet');
  }
  if (status.latest) {
    const state = status.upToDate ? 'live' : status.latest.built ? 'built, not live' : 'not built yet';
    lines.push(`  latest: ${short(status.latest.sha)}${quoted(status.latest.subject)} (${state})`);
  } else {
    lines.push('  latest: no dashboard commit found');
  }
  return lines.join('\n');
}

export function formatHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No deploys yet.';
  return entries
    .map((e) => {
      const who = e.trigger
        ? ` ${e.trigger} by ${displayText(e.requestedBy, 40)}`
        : ' (tag only; no release record)';
      return `${e.live ? '*' : ' '} ${e.finishedAt ?? '                        '}  ${short(e.commit)}  ${e.tag ?? '(untagged)'}${who}`;
    })
    .join('\n');
}
