import { displayText, short } from '../agent/report.js';
import type { ReleaseRecord } from '../deploy/schemas.js';

/** What one demo run did: printed for people, and as the one `--json` object. Pure formatting only. */

export interface DemoTimings {
  sandboxMs: number;
  /** 0 when the commit's build was already published by an earlier run. */
  buildMs: number;
  publishMs: number;
  deployMs: number;
  totalMs: number;
}

export interface DemoResult {
  status: 'deployed' | 'noop';
  /** The repository the demo deployed from. */
  repo: string;
  branch: string | undefined;
  commit: string;
  subject: string;
  /** The deploy tag of the live release (new for `deployed`, the existing one for `noop`). */
  tag: string | null;
  /** Where the deployed dashboard is served through the local edge. */
  url: string;
  /** The commit the edge's `/version.json` names right after the deploy. */
  served: string | undefined;
  /** Uncommitted paths under sophia-dashboard/ that the demo did not deploy. */
  uncommitted: string[];
  build: 'built' | 'already-published';
  publish:
    | { status: 'published' | 'unchanged' | 'upgraded'; files: number; uploaded: number; bytes: number }
    | undefined;
  /** The live release's commit before this run (null on the first deploy). */
  previousCommit: string | null;
  /** Site paths whose content differs from the release that was live before (all of them the first time). */
  changedFiles: string[];
  /** The agent's answer to "Deploy the latest dashboard", exactly as `frontendops ask --json` prints it. */
  deploy: Record<string, unknown>;
  sandboxDir: string;
  configPath: string;
  scratchRepo: string;
  timings: DemoTimings;
}

/** Paths of `after` whose sha256 differs from `before` (or that `before` lacks), sorted. */
export function changedFiles(before: ReleaseRecord | undefined, after: ReleaseRecord | undefined): string[] {
  if (after === undefined) return [];
  const previous = new Map((before?.files ?? []).map((f) => [f.path, f.sha256]));
  return after.files
    .filter((f) => previous.get(f.path) !== f.sha256)
    .map((f) => f.path)
    .sort();
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const LIST_LIMIT = 5;

function list(paths: readonly string[]): string {
  const shown = paths.slice(0, LIST_LIMIT).map((p) => displayText(p, 80));
  const more = paths.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The warning shown when sophia-dashboard/ has uncommitted changes; empty when it is clean. */
export function uncommittedNote(paths: readonly string[], commit: string): string[] {
  if (paths.length === 0) return [];
  return [
    `Note: sophia-dashboard/ has ${paths.length} uncommitted change(s): ${list(paths)}.`,
    `      The demo deploys committed work only, as the build workflow does: it builds ${short(commit)} as committed.`,
    '      Commit your changes and run `npm run demo` again to deploy them.',
  ];
}

/** The closing lines of a human run: where to look, what happened, what to try next. */
export function formatSummary(result: DemoResult, configForHumans: string): string[] {
  const lines = ['', `Dashboard: ${result.url}/`];
  if (result.tag)
    lines.push(
      `Tag:       ${result.tag} on ${short(result.commit)} (in the scratch repo ${result.scratchRepo})`,
    );
  if (result.status === 'deployed' && result.previousCommit !== null) {
    lines.push(
      `Changed:   ${short(result.previousCommit)} → ${short(result.commit)}: ${result.changedFiles.length} file(s) differ — ${list(result.changedFiles)}`,
    );
  }
  const t = result.timings;
  const build =
    result.build === 'built'
      ? `build ${seconds(t.buildMs)}, publish ${seconds(t.publishMs)}`
      : 'build already published';
  lines.push(
    `Took:      ${seconds(t.totalMs)} (sandbox ${seconds(t.sandboxMs)}, ${build}, deploy ${seconds(t.deployMs)})`,
    '',
    'Next: edit a component in sophia-dashboard/src, commit, and run `npm run demo` again —',
    '      only the files whose content changed are copied; reload the page to see the new version.',
    `      In another terminal: npx frontendops --config ${configForHumans} status   (or history, chat)`,
  );
  return lines;
}

/** The `--json` object. */
export function demoResultJson(result: DemoResult): Record<string, unknown> {
  return {
    status: result.status,
    repo: result.repo,
    branch: result.branch ?? null,
    commit: result.commit,
    subject: result.subject,
    tag: result.tag,
    url: result.url,
    served: result.served ?? null,
    uncommitted: result.uncommitted,
    build: result.build,
    publish: result.publish ?? null,
    previousCommit: result.previousCommit,
    changedFiles: result.changedFiles,
    deploy: result.deploy,
    sandboxDir: result.sandboxDir,
    configPath: result.configPath,
    scratchRepo: result.scratchRepo,
    timings: Object.fromEntries(Object.entries(result.timings).map(([k, ms]) => [k, Math.round(ms)])),
  };
}
