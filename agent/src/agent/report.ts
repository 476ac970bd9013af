import type { DeployReport } from '../deploy/pipeline.js';
import type { PlanSummary } from '../deploy/plan.js';
import type { DeployOutcome, HistoryEntry, StatusReport } from './flow.js';

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

export function formatPlan(plan: PlanSummary, stack: string): string {
  const phases = plan.copy.byPhase;
  const lines = [
    `Plan: ${short(plan.commit)} → ${stack} (live now: ${short(plan.previousCommit)})`,
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
  return lines.join('\n');
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

export function formatDeployOutcome(outcome: DeployOutcome): string {
  const { report, stack } = outcome;
  const commit = `${short(report.commit)}${quoted(outcome.subject)}`;
  switch (report.status) {
    case 'noop':
      return `${commit} is already live on ${stack}; nothing to do.`;
    case 'planned':
      return `${formatPlan(report.plan, stack)}\nDry run: nothing was changed.`;
    case 'deployed': {
      const verb = outcome.rolledBackFrom
        ? `Rolled back ${stack} from ${short(outcome.rolledBackFrom)} to ${commit}`
        : `Deployed ${commit} to ${stack}`;
      const lines = [
        `${verb}${report.tag ? ` as ${report.tag}` : ''}.`,
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
 * The `--json` result of every deploy, whatever asked for it: the engine's keys (issue 3) plus the
 * deploy `tag` (issue 6), and `code`/`message` when refused or failed.
 */
export type DeployJson = {
  status: 'deployed' | 'noop' | 'planned' | 'refused' | 'failed';
  commit: string;
  copied: number | null;
  unchanged: number | null;
  deleted: number | null;
  deferredDeletes: number | null;
  invalidationId: string | null;
  requests: Record<string, number>;
  durationMs: number | null;
  /** The deploy tag, once the release is tagged (issue 6); null when nothing was tagged. */
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

export function confirmQuestion(plan: PlanSummary, stack: string): string {
  return `${formatPlan(plan, stack)}\nDeploy ${short(plan.commit)} to ${stack}? [y/N] `;
}
