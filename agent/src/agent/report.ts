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
  if (plan.journal) {
    const { journal } = plan;
    lines.push(
      journal.action === 'finish'
        ? `  finishes the unfinished release ${journal.releaseId} (missing: ${journal.missing.join(', ') || 'nothing'})`
        : `  replaces the unfinished release ${journal.releaseId} of ${short(journal.commit)} (missing: ${journal.missing.join(', ')}); its files are kept`,
    );
  }
  if (plan.changes && plan.changes.length > 0) {
    lines.push('  Changed since you confirmed (another deploy ran meanwhile):');
    for (const change of plan.changes) lines.push(`    - ${change}`);
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

function stepList(steps: readonly string[]): string {
  return steps.length === 0 ? 'none' : steps.join(', ');
}

function doneSteps(report: DeployReport): string[] {
  if (!report.steps) return [];
  return Object.entries(report.steps)
    .filter(([, state]) => state.done)
    .map(([step]) => step);
}

/** What an incomplete release left undone, and the command that finishes it. */
function incompleteLines(report: DeployReport, stack: string, commit: string): string[] {
  const live = report.steps?.copied.done ?? false;
  const cause = report.error ? ` (${report.error.code}: ${displayText(report.error.message, 300)})` : '';
  return [
    `Incomplete [RELEASE_INCOMPLETE] ${commit} ${live ? 'is live on' : 'is partly copied to'} ${stack} but did not finish${cause}.`,
    `  done: ${stepList(doneSteps(report))}; missing: ${stepList(report.missing ?? [])}`,
    ...(report.error?.hint ? [`  hint: ${displayText(report.error.hint, 300)}`] : []),
    `  finish it with: ${report.finishCommand ?? `frontendops status --finish --stack ${stack}`} (a deploy or rollback of the stack finishes or replaces it too)`,
  ];
}

function healthLines(report: DeployReport): string[] {
  const failures = report.health?.failures ?? [];
  const shown = failures.slice(0, 5).map((f) => {
    const detail = [
      f.status === undefined ? undefined : `HTTP ${f.status}`,
      f.contentType === undefined ? undefined : `Content-Type ${displayText(f.contentType, 60)}`,
      f.expected === undefined ? undefined : `expected ${displayText(f.expected, 60)}`,
    ].filter((x) => x !== undefined);
    return `    /${displayText(f.path.replace(/^\//, ''), 120)}: ${displayText(f.reason, 120)}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}`;
  });
  if (failures.length > shown.length) shown.push(`    … and ${failures.length - shown.length} more`);
  return shown.length === 0 ? [] : ['  failed:', ...shown];
}

function previousLine(report: DeployReport): string[] {
  const previous = report.previous;
  if (!previous || report.status === 'noop' || report.status === 'planned') return [];
  return previous.action === 'finish'
    ? [
        `  finished the interrupted release ${previous.releaseId} (it was missing: ${stepList(previous.missing)})`,
      ]
    : [
        `  replaced the unfinished release ${previous.releaseId} of ${short(previous.commit)} (it was missing: ${stepList(previous.missing)})`,
      ];
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
  const commit = `${labelText(target)}${quoted(target.subject)}`;
  switch (report.status) {
    case 'noop':
      if (report.verify.note === 'no unfinished release')
        return `Nothing to do — no unfinished release on ${stack}.`;
      return `Nothing to do — ${labelText(target)}${quoted(target.subject)} is already live on ${stack}.`;
    case 'incomplete':
      return [
        ...incompleteLines(report, stack, commit),
        ...healthLines(report),
        ...previousLine(report),
      ].join('\n');
    case 'rolled_back': {
      const restored = report.restored;
      const code = report.error?.code ?? 'HEALTH_CHECK_FAILED';
      const lines = [
        `Rolled back [${code}] ${commit} went live on ${stack} and failed its check; ` +
          `${restored ? `${short(restored.commit)}${restored.tag ? ` (${restored.tag})` : ''}` : 'the previous release'} is live again.`,
        ...(report.error ? [`  ${displayText(report.error.message, 300)}`] : []),
        ...healthLines(report),
        `  the failed release ${report.releaseId ?? ''} is recorded as rolled back; fix the build and deploy again`,
      ];
      if (outcome.url) lines.push(`  live at ${outcome.url}`);
      return lines.join('\n');
    }
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
      lines.push(...previousLine(report));
      if (outcome.url) lines.push(`  live at ${outcome.url}`);
      const kept = keptUnknownLine(report.plan);
      if (kept) lines.push(kept);
      for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
      return lines.join('\n');
    }
  }
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
  releaseId?: string;
  kind?: string;
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
  hint?: string;
  /** `incomplete`: what failed, the steps done and missing, and the command that finishes it. */
  cause?: { code: string; message: string };
  done?: string[];
  missing?: string[];
  finishCommand?: string;
  /** `rolled_back`: the release that restored the previous one, and what failed. */
  restored?: NonNullable<DeployReport['restored']>;
  failures?: NonNullable<DeployReport['health']>['failures'];
  /** An unfinished release this run finished or replaced. */
  previous?: NonNullable<DeployReport['previous']>;
};

export function deployJson(report: DeployReport): DeployJson {
  const base: DeployJson = {
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
    ...(report.releaseId ? { releaseId: report.releaseId } : {}),
    ...(report.kind ? { kind: report.kind } : {}),
    ...(report.previous ? { previous: report.previous } : {}),
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
  if (report.status === 'incomplete') {
    return {
      ...base,
      code: 'RELEASE_INCOMPLETE',
      message: `the release went ${report.steps?.copied.done ? 'live' : 'partly live'} but did not finish: missing ${stepList(report.missing ?? [])}`,
      ...(report.error
        ? {
            cause: { code: report.error.code, message: report.error.message },
            ...(report.error.hint ? { hint: report.error.hint } : {}),
          }
        : {}),
      done: doneSteps(report),
      missing: report.missing ?? [],
      ...(report.finishCommand ? { finishCommand: report.finishCommand } : {}),
      ...(report.health ? { failures: report.health.failures } : {}),
      ...(report.restored ? { restored: report.restored } : {}),
    };
  }
  if (report.status === 'rolled_back') {
    return {
      ...base,
      code: report.error?.code ?? 'HEALTH_CHECK_FAILED',
      message: report.error?.message ?? 'the release failed its check and was rolled back',
      ...(report.restored ? { restored: report.restored } : {}),
      ...(report.health ? { failures: report.health.failures } : {}),
    };
  }
  return base;
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
        `(${live.kind === 'deploy' ? '' : `${live.kind}, `}${live.trigger} by ${displayText(live.requestedBy, 40)}, ` +
        `${live.status === 'pending' ? 'not finished' : (live.finishedAt ?? '')})`,
    );
  } else {
    lines.push('  live:   nothing deployed yet');
  }
  if (status.unfinished) {
    const u = status.unfinished;
    lines.push(
      `  unfinished: release ${u.releaseId} (${short(u.commit)}) is missing ${stepList(u.missing)}` +
        (u.failure
          ? `; ${u.failure.step} failed: ${u.failure.code}: ${displayText(u.failure.message, 160)}`
          : ''),
    );
    lines.push(`              finish it with: ${u.finishCommand}`);
  }
  if (status.lock) {
    const l = status.lock;
    const timing =
      l.ageSeconds === null
        ? `since ${l.acquiredAt} (S3 did not report its time)`
        : l.expired
          ? `last renewed ${l.ageSeconds} s ago, expired (by S3's clock)`
          : `last renewed ${l.ageSeconds} s ago, expires in ${l.expiresInSeconds} s (by S3's clock)`;
    lines.push(
      `  lock:   held by ${displayText(l.owner, 80)} (${l.trigger}, deploying ${short(l.commit)}), ${timing}`,
    );
    if (l.expired) lines.push(`          stale: \`frontendops unlock --stack ${status.stack}\` releases it`);
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
      const kind = e.kind && e.kind !== 'deploy' ? ` (${e.kind})` : '';
      const state =
        e.status === 'pending' ? ' [unfinished]' : e.status === 'rolled_back' ? ' [rolled back]' : '';
      return `${e.live ? '*' : ' '} ${e.finishedAt ?? '                        '}  ${short(e.commit)}  ${e.tag ?? '(untagged)'}${who}${kind}${state}`;
    })
    .join('\n');
}
