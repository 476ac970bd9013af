/**
 * The offline intent router: what `ask` and `chat` understand without a language model. It reads only
 * the user's own words — never text that came back from a tool — and maps plain variations of a small
 * set of requests to one intent each. Anything else, including anything that smells of a shell
 * command, is `unknown`: the agent says it cannot do that and lists what it can.
 */

export type DeployTarget =
  | { kind: 'latest' }
  | { kind: 'commit'; sha: string }
  | { kind: 'tag'; tag: string };

export type Intent =
  | { kind: 'deploy'; target: DeployTarget; dryRun: boolean }
  | { kind: 'rollback'; to?: Exclude<DeployTarget, { kind: 'latest' }>; dryRun?: boolean }
  | { kind: 'status' }
  | { kind: 'history'; limit?: number }
  | { kind: 'help' }
  | { kind: 'unknown'; reason: string };

/** What the agent can do, as shown by `help` and after an `unknown`. */
export const CAPABILITIES: readonly string[] = [
  'deploy the latest dashboard            e.g. "Deploy the latest dashboard"',
  'deploy a given commit or deploy tag    e.g. "deploy 3f2a9c1" / "deploy dashboard-deploy-20261123-1"',
  'show what a deploy would change        e.g. "what would change?" / "dry run"',
  'roll back to the previous release      e.g. "roll back" / "roll back to dashboard-deploy-20261122-2"',
  'say what is live                       e.g. "what\'s live?" / "status"',
  'list recent deploys                    e.g. "history" / "show the last 5 deploys"',
  'help                                   e.g. "help" / "what can you do?"',
];

/** Characters that only make sense to a shell; a request containing them is never acted on. */
const SHELL_SYNTAX = /[;|&`$<>\\]|\$\(|\|\||&&/;
/** Negated requests ("don't deploy") are not requests to deploy. */
const NEGATION = /\b(don'?t|do not|never|no need to|stop|cancel|without deploying)\b/;

/** A tag name as people type it: starts with a letter, git-ref-safe characters, contains a digit. */
const TAG = /\b([a-z][a-z0-9._-]*-\d[a-z0-9._-]*)\b/;

const HELP = /^(help|h|commands|usage)$|\b(what can you do|what do you do|how do i use|help me)\b/;
const STATUS =
  /\b(status|what'?s live|what is live|whats deployed|what'?s deployed|what is deployed|what'?s running|what is running|which (commit|version|release) is (live|deployed|running)|currently (live|deployed)|live (version|commit|release))\b/;
const HISTORY =
  /\b(history|recent (deploys|deployments|releases)|past (deploys|deployments|releases)|last \d+ (deploys|deployments|releases)|previous (deploys|deployments|releases)|deploy log|list (deploys|deployments|releases))\b/;
const ROLLBACK = /\b(roll ?back|revert|undo (the )?(last )?(deploy|deployment|release)|go back to)\b/;
const DRY_RUN =
  /\b(dry[- ]?run|what would change|what will change|what changes|preview|plan only|show (me )?the plan|what would (happen|be deployed|a deploy do))\b/;
const DEPLOY =
  /\b(deploy|ship|release|publish|roll ?out|push (out|live)|go live|update the (dashboard|site))\b/;
const LATEST = /\b(latest|newest|most recent|last build|head|main|the dashboard|current build)\b/;

function normalise(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[.!?,]+$/g, '')
    .replace(/\s+/g, ' ');
}

function findTag(text: string): string | undefined {
  const match = TAG.exec(text);
  return match?.[1];
}

function findSha(text: string): string | undefined {
  for (const word of text.split(' ')) {
    // A sha is a word of its own, with a hex letter in it (or long enough not to be a plain number).
    if (/^[0-9a-f]{7,40}$/.test(word) && (/[a-f]/.test(word) || word.length >= 12)) return word;
  }
  return undefined;
}

/** Words after "roll back to" that mean "the previous release", not a named target. */
const PREVIOUS = /^(the|previous|prior|last|earlier|before|what|whatever|one)$/;

function rollbackTarget(text: string): Intent {
  const tag = findTag(text);
  if (tag !== undefined) return { kind: 'rollback', to: { kind: 'tag', tag } };
  const sha = findSha(text);
  if (sha !== undefined) return { kind: 'rollback', to: { kind: 'commit', sha } };
  const named = /\bto ([a-z0-9][a-z0-9._/-]*)/.exec(text)?.[1];
  if (named !== undefined && !PREVIOUS.test(named)) {
    // "roll back to v1.2": a name we cannot read as a deploy tag or sha. Never guess a target.
    return { kind: 'rollback', to: { kind: 'tag', tag: named } };
  }
  return { kind: 'rollback' };
}

function numberIn(text: string): number | undefined {
  const match = /\b(\d{1,3})\b/.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function routeIntent(input: string): Intent {
  const raw = input.trim();
  if (raw === '') return { kind: 'unknown', reason: 'empty request' };
  if (raw.length > 500) return { kind: 'unknown', reason: 'request too long' };
  if (SHELL_SYNTAX.test(raw)) {
    return { kind: 'unknown', reason: 'it looks like a shell command; I never run shell commands' };
  }
  if (raw === '?') return { kind: 'help' };
  const text = normalise(raw);
  if (NEGATION.test(text)) return { kind: 'unknown', reason: 'a negated request is not something to act on' };
  if (HELP.test(text)) return { kind: 'help' };
  if (ROLLBACK.test(text)) return rollbackTarget(text);
  const dryRun = DRY_RUN.test(text);
  if (DEPLOY.test(text) || dryRun) {
    const tag = findTag(text);
    if (tag !== undefined) return { kind: 'deploy', target: { kind: 'tag', tag }, dryRun };
    const sha = findSha(text);
    if (sha !== undefined) return { kind: 'deploy', target: { kind: 'commit', sha }, dryRun };
    if (LATEST.test(text) || dryRun || /^(deploy|ship|release|ship it|deploy it|deploy now)$/.test(text)) {
      return { kind: 'deploy', target: { kind: 'latest' }, dryRun };
    }
    return { kind: 'unknown', reason: 'I could not tell which commit to deploy' };
  }
  if (STATUS.test(text)) return { kind: 'status' };
  if (HISTORY.test(text)) {
    const limit = numberIn(text);
    return limit === undefined || limit < 1 ? { kind: 'history' } : { kind: 'history', limit };
  }
  return { kind: 'unknown', reason: 'that is not one of the things I can do' };
}

/** The answer to an `unknown` request. */
export function cannotDo(reason: string): string {
  return [`I can't do that (${reason}). I can:`, ...CAPABILITIES.map((c) => `  - ${c}`)].join('\n');
}

export function helpText(): string {
  return ['I deploy the Sophia dashboard. I can:', ...CAPABILITIES.map((c) => `  - ${c}`)].join('\n');
}
