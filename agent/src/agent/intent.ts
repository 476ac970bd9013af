/**
 * The offline intent router: what `ask` and `chat` understand without a language model, and the
 * judge of what a request in words allows the flow to change when a model answers it.
 *
 * Safe by construction:
 * - only an order (the sentence starts with "deploy", "ship", "roll back"… after a polite lead-in)
 *   whose every word is understood and that names exactly one target can become an acting intent;
 * - questions, dry runs and previews become read-only intents (status, history, a plan);
 * - a negated, conflicting, conditional or unclear target is asked back (`ambiguous`), never guessed;
 * - everything else — typos, other languages, statements, quoted text, shell syntax, command lines —
 *   is `unknown`: the agent says so and lists what it can do.
 * It reads only the user's own words, never text that came back from a tool.
 */

export type DeployTarget =
  | { kind: 'latest' }
  | { kind: 'commit'; sha: string }
  | { kind: 'tag'; tag: string };

export type RollbackTarget = Exclude<DeployTarget, { kind: 'latest' }>;

/** One typed request to change the site (or, with `dryRun`, to show what would change). */
export interface DeployIntent {
  kind: 'deploy';
  target: DeployTarget;
  dryRun: boolean;
}

export interface RollbackIntent {
  kind: 'rollback';
  /** Default: the release before the live one. */
  to?: RollbackTarget;
  dryRun: boolean;
}

export type ActingIntent = DeployIntent | RollbackIntent;

export type Intent =
  | ActingIntent
  | { kind: 'status' }
  | { kind: 'history'; limit?: number }
  | { kind: 'help' }
  /** The request names its target unclearly or negates it: `question` is what to ask back. */
  | { kind: 'ambiguous'; question: string }
  | { kind: 'unknown'; reason: string };

/** What the agent can do, as shown by `help` and after an `unknown`. */
export const CAPABILITIES: readonly string[] = [
  'deploy the latest dashboard            e.g. "Deploy the latest dashboard"',
  'deploy a given commit or deploy tag    e.g. "deploy 3f2a9c1" / "deploy dashboard-deploy-20261123-1"',
  'show what a deploy would change        e.g. "what would change?" / "dry run"',
  'roll back to the previous release      e.g. "roll back" / "roll back to dashboard-deploy-20261122-2"',
  'show what a rollback would change      e.g. "what would change if I roll back?"',
  'say what is live                       e.g. "what\'s live?" / "status"',
  'list recent deploys                    e.g. "history" / "show the last 5 deploys"',
  'help                                   e.g. "help" / "what can you do?"',
];

/** Longer requests are refused rather than searched for something that sounds like an order. */
export const MAX_REQUEST_LENGTH = 500;

/** Characters that only make sense to a shell; a request containing them is never acted on. */
const SHELL_SYNTAX = /[;|&`$<>\\]/;

const DOUBLE_QUOTED = /"[^"]*(?:"|$)/g;
/** A single-quoted span opens after a space (not an apostrophe as in "what's" or "s'il"). */
const SINGLE_QUOTED = /(^|[\s(,:])'[^']*'(?=$|[\s),.:!?])/g;

const HELP =
  /^(?:help|h|commands|usage)$|\b(?:what can you do|what do you do|what can i (?:ask|say)|how do (?:i|we) (?:use|deploy|roll ?back|rollback|revert)|help me)\b/;

const ROLLBACK_WORDS =
  /\b(?:roll(?:s|ing|ed)? ?back|rollbacks?|revert(?:s|ing|ed)?|undo (?:the )?(?:last |latest |previous )?(?:deploy|deployment|release|rollout)|go(?:ing)? back)\b/;
const DEPLOY_WORDS =
  /\b(?:deploy(?:s|ing|ed|ment|ments)?|ship(?:s|ping|ped)?|releas(?:e|es|ing|ed)|publish(?:es|ing|ed)?|roll(?:s|ing|ed)? ?out|push(?:ing)? (?:it )?(?:out|live)|go(?:ing)? live|update the (?:dashboard|site))\b/;

/** Words that turn what follows into "not this one" or "don't do it". */
const NEGATION =
  /\b(?:not|don'?t|dont|do not|never|no need to|stop|cancel|abort|halt|no|nicht|kein|keine|nie|pas|jamais|nunca|except|anything but|but not|other than|instead of|rather than|apart from|excluding|sauf|excepto|menos|sino)\b/;

/** Explicit previews. */
const PREVIEW =
  /\b(?:dry[- ]?runs?|preview(?:ing)?|plan|simulate|simulation|trial run|what would|what will change|what changes|what happens if|what if|probelauf|testlauf|vorschau|aperçu|simulacro|vista previa)\b/;
/** Hypothetical questions about an action ("would rolling back break anything?") are previews too. */
const HYPOTHETICAL =
  /\b(?:would|could|if|will|might|safe to|ok to|okay to|würde|könnte|wenn|falls|serait|pourrait|si|cambiar[ií]a|pasar[ií]a)\b|\b(?:can|could|should|shall|may) (?:i|we)\b/;
/** "Can you deploy …?": a request phrased as a question. Questions never act; it is asked back. */
const POLITE_QUESTION = /^(?:can|could|would|will|won't) (?:you|u)(?: please| kindly)? /;

const QUESTION_START =
  /^(?:what|what's|whats|why|would|show|which|how|did|didn't|is|isn't|are|was|were|does|do|has|have|had|when|where|who|whom|whose|will|should|could|can|may|might|shall|tell|explain|any|warum|wieso|wie|welche[rs]?|wer|wann|wo|ist|sind|quoi|que|qu'est-ce|pourquoi|comment|quel(?:le)?s?|quand|qué|por qu[eé]|cómo|cuál|cuándo|dónde|quién)\b/;
const PAST =
  /\b(?:did|didn't|was|were|happened|why|when|who|yesterday|ago|wann|warum|wieso|pourquoi|quand|cuándo|por qu[eé])\b/;
const OUTCOME =
  /\b(?:succeed|succeeded|work|worked|go through|finish|finished|complete|completed|fail|failed)\b/;
const LIVE_WORDS = /\b(?:live|deployed|running|up|serving|current|currently)\b/;

const STATUS =
  /\b(?:status|what'?s live|whats live|what is live|what'?s deployed|what is deployed|what'?s running|what is running|which (?:commit|version|release|build) is (?:live|deployed|running)|currently (?:live|deployed)|live (?:version|commit|release))\b/;
const HISTORY =
  /\b(?:history|recent (?:deploys|deployments|releases|rollbacks)|past (?:deploys|deployments|releases|rollbacks)|last \d+ (?:deploys|deployments|releases|rollbacks)|previous (?:deploys|deployments|releases)|deploy log|list (?:the )?(?:deploys|deployments|releases|rollbacks)|what happened|why did|when (?:was|did)|who (?:deployed|rolled back|released|shipped)|tell me about (?:the )?(?:last|latest|previous|recent))\b/;

/** Polite or conversational openings before an order; the order's verb must come right after them. */
const LEAD_IN =
  /^(?:hey|hi|hello|ok|okay|alright|right|so|now|then|please|pls|plz|kindly|bitte|por favor|s'il (?:te|vous) pla[iî]t|go ahead and|let's|lets|let us|i want you to|i want to|i'd like you to|i'd like to|i would like you to|i would like to|i need you to|i need to|we need to|just|yes|yeah|yep|frontendops|agent)(?: |$)/;

const ACT_ROLLBACK =
  /^(?:roll ?back|revert|undo (?:the )?(?:last |latest |previous )?(?:deploy|deployment|release|rollout)|go back)(?: |$)/;
const ACT_DEPLOY =
  /^(?:deploy|ship|release|publish|roll ?out|push (?:it )?(?:out|live)|go live(?: with)?|update)(?: |$)/;

/** Conditions the router cannot check ("if the build is green") make an order unclear. */
const CONDITION = /\b(?:if|unless|once|when|wenn|falls|si|cuando|lorsque|quand)\b/;

const LATEST_PHRASE =
  /\b(?:latest|newest|most recent|last build|last commit|head|main|current build|neueste[nrs]?|aktuellste[nrs]?|dernier|derni[eè]re|[uú]ltim[oa]|m[aá]s reciente)\b/g;
const LATEST_WORD = new RegExp(LATEST_PHRASE.source);
const LATEST_TOKEN = '@latest';

/** Words an order may contain besides its verb and target: they change nothing about the meaning. */
const FILLER: ReadonlySet<string> = new Set([
  ...['the', 'a', 'an', 'it', 'now', 'please', 'pls', 'plz', 'thanks', 'thank', 'you', 'again', 'and'],
  ...['right', 'away', 'asap', 'today', 'immediately', 'quickly', 'to', 'on', 'in', 'into', 'for', 'me'],
  ...['us', 'of', 'from', 'at', 'dashboard', 'dashboards', 'sophia', 'site', 'website', 'app', 'frontend'],
  ...['web', 'ui', 'prod', 'production', 'live', 'out', 'bitte', 'danke', 'merci', 'gracias', 'por'],
  ...['favor', 'das', 'die', 'der', 'le', 'la', 'el', "s'il", 'vous', 'te', 'plaît', 'plait', 'with'],
]);
/** Words that only make sense next to a target (a sha or a tag): without one, the order is unclear. */
const TARGET_WORDS: ReadonlySet<string> = new Set([
  ...['commit', 'commits', 'tag', 'sha', 'version', 'release', 'releases', 'build', 'builds', 'fix'],
  ...['change', 'changes', 'feature', 'pr', 'branch', 'one', 'that', 'this', 'or'],
]);
/** What a rollback order may say about "the release before the live one". */
const ROLLBACK_FILLER: ReadonlySet<string> = new Set([
  ...FILLER,
  ...['previous', 'prior', 'earlier', 'last', 'before', 'one', 'good', 'known', 'working', 'what', 'we'],
  ...['had', 'deploy', 'deployment', 'release', 'rollout', 'back', 'version'],
]);

/** Words a typo is checked against, and how the suggestion is spelled. */
const VOCABULARY: ReadonlyArray<readonly [string, string]> = [
  ['deploy', 'deploy'],
  ['rollback', 'roll back'],
  ['revert', 'revert'],
  ['status', 'status'],
  ['history', 'history'],
  ['preview', 'preview'],
  ['release', 'release'],
];

function normalise(input: string): string {
  return input
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

function isSha(word: string): boolean {
  // A sha has letters and digits; an all-letter word ("defaced") is a word, an all-digit one is asked back.
  return /^[0-9a-f]{7,40}$/.test(word) && /[a-f]/.test(word) && /[0-9]/.test(word);
}

function isNumberLikeSha(word: string): boolean {
  return /^\d{7,40}$/.test(word);
}

/** A deploy tag as people type it: starts with a letter, git-ref-safe characters, `-<digit>` in it. */
function isTag(word: string): boolean {
  return /^[a-z][a-z0-9._-]*-\d[a-z0-9._-]*$/.test(word) && !word.includes('..');
}

function targetOfWord(word: string): RollbackTarget | undefined {
  if (isSha(word)) return { kind: 'commit', sha: word };
  if (isTag(word)) return { kind: 'tag', tag: word };
  return undefined;
}

function sameTarget(a: DeployTarget, b: DeployTarget): boolean {
  if (a.kind === 'latest' || b.kind === 'latest') return a.kind === b.kind;
  if (a.kind === 'tag' || b.kind === 'tag') return a.kind === 'tag' && b.kind === 'tag' && a.tag === b.tag;
  // A short sha names the commit its full sha starts with.
  return a.sha.startsWith(b.sha) || b.sha.startsWith(a.sha);
}

function distinctTargets(targets: readonly RollbackTarget[]): RollbackTarget[] {
  const out: RollbackTarget[] = [];
  for (const t of targets) if (!out.some((o) => sameTarget(o, t))) out.push(t);
  return out;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function typoSuggestion(words: readonly string[]): string | undefined {
  const candidates = [words[0], words.slice(0, 2).join('')].filter(
    (w): w is string => w !== undefined && w.length >= 5,
  );
  for (const word of candidates) {
    for (const [known, spelled] of VOCABULARY) {
      const distance = levenshtein(word, known);
      if (distance > 0 && distance <= 2)
        return `I don't know the word "${word}" — did you mean "${spelled}"?`;
    }
  }
  return undefined;
}

function stripLeadIns(text: string): string {
  let rest = text;
  for (;;) {
    const match = LEAD_IN.exec(rest);
    if (!match) return rest;
    rest = rest.slice(match[0].length);
  }
}

/** Plain words for a target and for an intent, as used in questions back and refusals. */
export function describeTarget(target: DeployTarget): string {
  switch (target.kind) {
    case 'latest':
      return 'the latest dashboard commit';
    case 'commit':
      return `commit ${target.sha}`;
    case 'tag':
      return `deploy tag ${target.tag}`;
  }
}

function describeRollbackTarget(to: RollbackTarget | undefined): string {
  return to === undefined ? 'the release before the live one' : describeTarget(to);
}

/** The plain order that would do `intent`: what a person can type to go ahead. */
export function canonicalRequest(intent: ActingIntent): string {
  if (intent.kind === 'rollback') {
    if (intent.to === undefined) return 'roll back';
    return `roll back to ${intent.to.kind === 'tag' ? intent.to.tag : intent.to.sha}`;
  }
  switch (intent.target.kind) {
    case 'latest':
      return 'Deploy the latest dashboard';
    case 'commit':
      return `deploy ${intent.target.sha}`;
    case 'tag':
      return `deploy ${intent.target.tag}`;
  }
}

function describeIntent(intent: ActingIntent): string {
  return intent.kind === 'deploy'
    ? `deploy ${describeTarget(intent.target)}`
    : `roll back to ${describeRollbackTarget(intent.to)}`;
}

const DEPLOY_EXAMPLES = 'say "Deploy the latest dashboard", "deploy <sha>" or "deploy <deploy tag>"';
const ROLLBACK_EXAMPLES =
  'say "roll back" (to the release before the live one) or "roll back to <deploy tag>"';

function askBack(question: string, action: 'deploy' | 'rollback', tail?: string): Intent {
  return {
    kind: 'ambiguous',
    question: `${question} Nothing changed; ${tail ?? (action === 'deploy' ? DEPLOY_EXAMPLES : ROLLBACK_EXAMPLES)}.`,
  };
}

interface Parsed {
  /** Words after quotes and punctuation are removed. */
  words: string[];
  text: string;
}

function parse(normalised: string): Parsed {
  const text = normalised
    .replace(/[!?¿¡,:()[\]{}]/g, ' ')
    .split(' ')
    .map((w) => w.replace(/^\.+|\.+$/g, ''))
    .filter((w) => w !== '')
    .join(' ');
  return { words: text === '' ? [] : text.split(' '), text };
}

/** The ids named in `words` (shas and deploy tags), and whether an all-digit "sha" is among them. */
function idsIn(words: readonly string[]): { targets: RollbackTarget[]; numeric: string[] } {
  const targets = distinctTargets(
    words.map(targetOfWord).filter((t): t is RollbackTarget => t !== undefined),
  );
  return { targets, numeric: words.filter(isNumberLikeSha) };
}

/** The target of a rollback named after "to" ("to dashboard-deploy-…", "to abc1234", "to v1.2"). */
function rollbackNamed(words: readonly string[]): RollbackTarget | undefined {
  const at = words.indexOf('to');
  if (at < 0) return undefined;
  for (const word of words.slice(at + 1)) {
    if (ROLLBACK_FILLER.has(word)) continue;
    const target = targetOfWord(word);
    if (target) return target;
    // A name we cannot read as a deploy tag or sha, but that looks like a ref: looked up, never guessed.
    if (/^[a-z0-9][a-z0-9._/-]*$/.test(word) && /\d/.test(word) && !isNumberLikeSha(word)) {
      return { kind: 'tag', tag: word };
    }
    return undefined;
  }
  return undefined;
}

/** A dry run of what the words mention: lenient about filler (nothing will change), strict about ids. */
function previewOf(words: readonly string[], text: string, negatedTarget: boolean): Intent {
  const rollback = ROLLBACK_WORDS.test(text);
  const action = rollback ? 'rollback' : 'deploy';
  const { targets } = idsIn(words);
  if (negatedTarget) {
    return askBack('You named something not to use — which one should I show the plan for?', action);
  }
  if (targets.length > 1) {
    return askBack(`You named ${targets.length} targets — which one should I show the plan for?`, action);
  }
  if (!rollback) {
    const [target] = targets;
    return { kind: 'deploy', target: target ?? { kind: 'latest' }, dryRun: true };
  }
  const named = rollbackNamed(words);
  if (targets.length === 1 && named === undefined) {
    return askBack('Do you mean roll back to that release, or undo it?', 'rollback');
  }
  return named === undefined
    ? { kind: 'rollback', dryRun: true }
    : { kind: 'rollback', to: named, dryRun: true };
}

function historyOf(text: string): Intent {
  const limit =
    /\b(?:last|past|recent) (\d{1,3})\b/.exec(text)?.[1] ??
    /\b(\d{1,3}) (?:deploys|deployments|releases)\b/.exec(text)?.[1];
  const n = limit === undefined ? undefined : Number(limit);
  return n === undefined || n < 1 ? { kind: 'history' } : { kind: 'history', limit: n };
}

function unclearOrUnknown(
  unknownWords: readonly string[],
  hasTargetWords: boolean,
  action: 'deploy' | 'rollback',
): Intent {
  if (hasTargetWords || unknownWords.some((w) => /\d/.test(w))) {
    return action === 'deploy'
      ? askBack(`Which commit should I deploy? I did not understand "${unknownWords.join(' ')}".`, 'deploy')
      : askBack(
          `Which release should I roll back to? I did not understand "${unknownWords.join(' ')}".`,
          'rollback',
        );
  }
  return {
    kind: 'unknown',
    reason: `I could not tell what to ${action === 'deploy' ? 'deploy' : 'roll back'} from "${unknownWords.join(' ')}"`,
  };
}

/** An order to deploy: every word understood, exactly one target (or none: the latest). */
function deployOrder(rest: string): Intent {
  const words = rest
    .replace(LATEST_PHRASE, ` ${LATEST_TOKEN} `)
    .split(' ')
    .filter((w) => w !== '');
  const latest = words.includes(LATEST_TOKEN);
  const { targets, numeric } = idsIn(words);
  if (numeric.length > 0) {
    return askBack(
      `Is ${numeric[0]} a commit? Give at least 12 characters of its sha, or its deploy tag.`,
      'deploy',
    );
  }
  const all: DeployTarget[] = [...targets, ...(latest ? [{ kind: 'latest' as const }] : [])];
  if (all.length > 1) {
    return askBack(
      `You named ${all.length} targets (${all.map(describeTarget).join(', ')}) — which one should I deploy?`,
      'deploy',
    );
  }
  const unknownWords = words.filter(
    (w) => !(FILLER.has(w) || TARGET_WORDS.has(w) || w === LATEST_TOKEN || targetOfWord(w)),
  );
  const hasTargetWords = words.some((w) => TARGET_WORDS.has(w));
  if (unknownWords.length > 0)
    return unclearOrUnknown(unknownWords, hasTargetWords || all.length > 0, 'deploy');
  const [target] = all;
  if (target) return { kind: 'deploy', target, dryRun: false };
  if (hasTargetWords) return askBack('Which commit should I deploy?', 'deploy');
  return { kind: 'deploy', target: { kind: 'latest' }, dryRun: false };
}

/** An order to roll back: to the release before the live one, or to the target named after "to". */
function rollbackOrder(rest: string): Intent {
  const words = rest.split(' ').filter((w) => w !== '');
  const { targets, numeric } = idsIn(words);
  const named = rollbackNamed(words);
  if (targets.length > 1) {
    return askBack(`You named ${targets.length} releases — which one should I roll back to?`, 'rollback');
  }
  if (targets.length === 1 && named === undefined) {
    return askBack(
      `Do you mean roll back to ${targets.map(describeTarget).join('')}, or undo it?`,
      'rollback',
    );
  }
  const namedWord = named === undefined ? undefined : named.kind === 'tag' ? named.tag : named.sha;
  const unknownWords = words.filter((w) => !(ROLLBACK_FILLER.has(w) || w === namedWord));
  if (numeric.length > 0 || unknownWords.length > 0) {
    const hasTargetWords = words.some((w) => TARGET_WORDS.has(w) || LATEST_WORD.test(w));
    return unclearOrUnknown(unknownWords.length > 0 ? unknownWords : numeric, hasTargetWords, 'rollback');
  }
  return named === undefined
    ? { kind: 'rollback', dryRun: false }
    : { kind: 'rollback', to: named, dryRun: false };
}

export function routeIntent(input: string): Intent {
  const raw = input.trim();
  if (raw === '') return { kind: 'unknown', reason: 'empty request' };
  if (raw.length > MAX_REQUEST_LENGTH) {
    return {
      kind: 'unknown',
      reason: `the request is too long (over ${MAX_REQUEST_LENGTH} characters); say it in one plain sentence`,
    };
  }
  if (SHELL_SYNTAX.test(raw)) {
    return { kind: 'unknown', reason: 'it looks like a shell command; I never run shell commands' };
  }
  if (raw === '?') return { kind: 'help' };
  const normalised = normalise(raw);
  const quoted = normalised.includes('"') || new RegExp(SINGLE_QUOTED.source).test(normalised);
  const unquoted = normalised.replace(DOUBLE_QUOTED, ' ').replace(SINGLE_QUOTED, '$1 ');
  const asked = /[?¿]/.test(unquoted);
  const { words, text } = parse(unquoted);
  if (words.length === 0) {
    return {
      kind: 'unknown',
      reason: quoted ? 'quoted text is something you mention, not something I act on' : 'empty request',
    };
  }
  if (HELP.test(text)) return { kind: 'help' };

  const core = stripLeadIns(text);
  const rollbackAt = text.search(ROLLBACK_WORDS);
  const deployAt = text.replace(ROLLBACK_WORDS, (m) => ' '.repeat(m.length)).search(DEPLOY_WORDS);
  const actionAt = [rollbackAt, deployAt].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), Infinity);
  const hasAction = actionAt !== Infinity;
  const negationAt = text.search(NEGATION);
  const negatedVerb = hasAction && negationAt >= 0 && negationAt < actionAt;
  const negatedTarget = hasAction && negationAt > actionAt;
  const question = asked || QUESTION_START.test(core);
  const polite = POLITE_QUESTION.test(core) && hasAction;

  // Previews first: "don't deploy yet, just show me what would change" is a request to see a plan.
  if (PREVIEW.test(text) || text.includes('--dry-run')) return previewOf(words, text, negatedTarget);
  if (polite) {
    const order = routeOrder(core.replace(POLITE_QUESTION, ''));
    if (order.kind === 'deploy' || order.kind === 'rollback') {
      return askBack(
        `Do you want me to ${describeIntent(order)}? A question never changes anything.`,
        order.kind,
        `to go ahead, say "${canonicalRequest(order)}"`,
      );
    }
    if (order.kind === 'ambiguous') return order;
  }
  if (hasAction && question && HYPOTHETICAL.test(text)) return previewOf(words, text, negatedTarget);
  if (negatedVerb) {
    return { kind: 'unknown', reason: 'you asked me not to do it, so nothing changed' };
  }
  if (STATUS.test(text)) return { kind: 'status' };
  if (HISTORY.test(text)) return historyOf(text);
  if (question) {
    const past = PAST.test(text);
    if (past && hasAction) return OUTCOME.test(text) ? { kind: 'status' } : historyOf(text);
    if (LIVE_WORDS.test(text)) return { kind: 'status' };
    if (hasAction) return previewOf(words, text, negatedTarget);
    return {
      kind: 'unknown',
      reason:
        'I can answer what is live, list recent deploys, or show what a deploy or rollback would change',
    };
  }
  if (negatedTarget) {
    const negated = text.slice(negationAt);
    return askBack(
      `You told me what not to use ("${negated}") — I never guess around it. What exactly should I ${ROLLBACK_WORDS.test(text) ? 'roll back to' : 'deploy'}?`,
      ROLLBACK_WORDS.test(text) ? 'rollback' : 'deploy',
    );
  }
  const order = routeOrder(core);
  if (order.kind !== 'unknown' || order.reason !== NOT_AN_ORDER) return order;
  if (hasAction) {
    return {
      kind: 'unknown',
      reason:
        'that does not read as a request to deploy or roll back (an order starts with the verb, e.g. "Deploy the latest dashboard")',
    };
  }
  const typo = typoSuggestion(core.split(' '));
  if (typo !== undefined) return { kind: 'unknown', reason: typo };
  return { kind: 'unknown', reason: 'that is not one of the things I can do' };
}

const NOT_AN_ORDER = 'not an order';

/** An order that starts with its verb (lead-ins already removed). */
function routeOrder(core: string): Intent {
  const words = core.split(' ');
  if (words.some((w) => w.startsWith('--'))) {
    return {
      kind: 'unknown',
      reason: 'that looks like a command line; run it in your shell, or say what you want in plain words',
    };
  }
  const rollback = ACT_ROLLBACK.exec(core);
  const deploy = rollback ? null : ACT_DEPLOY.exec(core);
  const verb = rollback ?? deploy;
  if (!verb) return { kind: 'unknown', reason: NOT_AN_ORDER };
  const action = rollback ? 'rollback' : 'deploy';
  const rest = core.slice(verb[0].length);
  if (CONDITION.test(rest)) {
    return askBack(
      `I can't check conditions ("${rest.trim()}") — should I ${action === 'deploy' ? 'deploy' : 'roll back'} now or not?`,
      action,
    );
  }
  if (action === 'deploy' && ROLLBACK_WORDS.test(rest)) {
    return askBack('You asked to deploy and to roll back — which one should I do?', 'deploy');
  }
  return action === 'deploy' ? deployOrder(rest) : rollbackOrder(rest);
}

/** The answer to an `unknown` request. */
export function cannotDo(reason: string): string {
  return [`I can't do that (${reason}). I can:`, ...CAPABILITIES.map((c) => `  - ${c}`)].join('\n');
}

export function helpText(): string {
  return ['I deploy the Sophia dashboard. I can:', ...CAPABILITIES.map((c) => `  - ${c}`)].join('\n');
}

/** The same request, made a dry run (`ask --dry-run`, `chat --dry-run`). */
export function asDryRun(intent: Intent): Intent {
  return intent.kind === 'deploy' || intent.kind === 'rollback' ? { ...intent, dryRun: true } : intent;
}

// ---------------------------------------------------------------------------------------------
// Mandates: what a request allows the flow to change.

/**
 * A structured request (CLI flags, an MCP tool call, the timer) is itself the act it asks for. A
 * request in words (`ask`, `chat`, answered by a model) allows only the act its words plainly order,
 * as this router reads them — so a model can never turn a question into a deploy.
 */
export type Mandate = { kind: 'explicit' } | WordsMandate;

export interface WordsMandate {
  kind: 'words';
  /** The one act the words order; null when they order nothing (then only dry runs may run). */
  act: ActingIntent | null;
  /** Why nothing may change, for the refusal. */
  why: string;
}

function whyNoAct(intent: Intent): string {
  switch (intent.kind) {
    case 'deploy':
    case 'rollback':
      return 'it asks for a dry run';
    case 'status':
    case 'history':
    case 'help':
      return 'it is a question';
    case 'ambiguous':
      return 'its target is unclear or negated';
    case 'unknown':
      return 'it is not a plain order';
  }
}

export function wordsMandate(intent: Intent, why?: string): WordsMandate {
  if ((intent.kind === 'deploy' || intent.kind === 'rollback') && !intent.dryRun && why === undefined) {
    return { kind: 'words', act: intent, why: 'it is a plain order' };
  }
  return { kind: 'words', act: null, why: why ?? whyNoAct(intent) };
}

/** Undefined when `mandate` allows `requested`; otherwise the reason it does not. */
export function permits(mandate: Mandate, requested: ActingIntent): string | undefined {
  if (requested.dryRun || mandate.kind === 'explicit') return undefined;
  const { act } = mandate;
  if (act === null) {
    return `the request is not a request to change anything (${mandate.why}); only a dry run is allowed`;
  }
  if (act.kind !== requested.kind) {
    return `the request asked to ${act.kind === 'deploy' ? 'deploy' : 'roll back'}, not to ${requested.kind === 'deploy' ? 'deploy' : 'roll back'}`;
  }
  if (act.kind === 'deploy' && requested.kind === 'deploy') {
    return sameTarget(act.target, requested.target)
      ? undefined
      : `the request named ${describeTarget(act.target)}, not ${describeTarget(requested.target)}`;
  }
  const wanted = (act as RollbackIntent).to;
  const asked = (requested as RollbackIntent).to;
  if (wanted === undefined || asked === undefined) {
    return wanted === asked
      ? undefined
      : `the request asked for ${describeRollbackTarget(wanted)}, not ${describeRollbackTarget(asked)}`;
  }
  return sameTarget(wanted, asked)
    ? undefined
    : `the request asked for ${describeRollbackTarget(wanted)}, not ${describeRollbackTarget(asked)}`;
}
