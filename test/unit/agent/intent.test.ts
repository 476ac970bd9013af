import { describe, expect, it } from 'vitest';
import {
  CAPABILITIES,
  cannotDo,
  type Intent,
  permits,
  routeIntent,
  wordsMandate,
} from '../../../agent/src/agent/intent.js';
import {
  ACTING,
  ALL_PHRASINGS,
  AMBIGUOUS,
  NON_ACTING,
  NOT_UNDERSTOOD,
  PREVIEWS,
  QUESTIONS,
} from './phrasings.js';

function expectIntent(text: string, expected: { kind: string }): Intent {
  const intent = routeIntent(text);
  if (expected.kind === 'ambiguous' || expected.kind === 'unknown') {
    expect(intent.kind, JSON.stringify(intent)).toBe(expected.kind);
  } else {
    expect(intent).toEqual(expected);
  }
  return intent;
}

describe('routeIntent: the phrasings table', () => {
  it('has at least 80 phrasings, most of them non-acting', () => {
    expect(ALL_PHRASINGS.length).toBeGreaterThanOrEqual(80);
    expect(NON_ACTING.length).toBeGreaterThan(ACTING.length * 2);
  });

  it.each(ACTING)('acts on %j', (text, expected) => {
    expectIntent(text, expected);
  });

  it.each(PREVIEWS)('previews %j (a dry run)', (text, expected) => {
    expectIntent(text, expected);
  });

  it.each(QUESTIONS)('answers %j without acting', (text, expected) => {
    expectIntent(text, expected);
  });

  it.each(AMBIGUOUS)('asks back about %j', (text, expected) => {
    const intent = expectIntent(text, expected);
    if (intent.kind === 'ambiguous') {
      expect(intent.question).toMatch(/\?/);
      expect(intent.question).toMatch(/nothing (changed|was changed)/i);
    }
  });

  it.each(NOT_UNDERSTOOD)('does not act on %j', (text, expected) => {
    expectIntent(text, expected);
  });

  it.each(NON_ACTING)('%j gives no mandate to change anything', (text) => {
    expect(wordsMandate(routeIntent(text)).act).toBeNull();
  });
});

describe('routeIntent: what it says back', () => {
  it('names the negated target and asks which one to deploy', () => {
    const intent = routeIntent('Deploy the latest dashboard, not 2c438a2b');
    expect(intent).toMatchObject({ kind: 'ambiguous', question: expect.stringContaining('2c438a2b') });
  });

  it('turns a polite question into a question back that quotes the plain request', () => {
    expect(routeIntent('can you deploy the latest dashboard?')).toMatchObject({
      kind: 'ambiguous',
      question: expect.stringContaining('"Deploy the latest dashboard"'),
    });
  });

  it('suggests the word a typo was probably meant to be, without acting on it', () => {
    expect(routeIntent('deplyo the latest dashboard')).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('did you mean "deploy"'),
    });
    expect(routeIntent('roll bakc')).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('did you mean "roll back"'),
    });
  });

  it('refuses shell syntax, command lines and over-long requests with the reason', () => {
    expect(routeIntent('deploy latest; rm -rf /')).toMatchObject({ reason: expect.stringMatching(/shell/) });
    expect(routeIntent('frontendops rollback --yes')).toMatchObject({
      reason: expect.stringMatching(/command line/),
    });
    expect(routeIntent(`deploy ${'x'.repeat(600)}`)).toMatchObject({ reason: expect.stringMatching(/long/) });
  });

  it('answers unknown requests with the list of what it can do', () => {
    const answer = cannotDo('that is not one of the things I can do');
    expect(answer).toMatch(/^I can't do that/);
    for (const capability of CAPABILITIES) expect(answer).toContain(capability);
  });
});

describe('mandates: what a request in words allows the flow to change', () => {
  const deployLatest = { kind: 'deploy', target: { kind: 'latest' }, dryRun: false } as const;
  const deployA = { kind: 'deploy', target: { kind: 'commit', sha: 'abc1234' }, dryRun: false } as const;
  const rollbackPrev = { kind: 'rollback', dryRun: false } as const;

  it('lets a dry run through whatever the words were', () => {
    const mandate = wordsMandate(routeIntent('why did the last rollback happen?'));
    expect(permits(mandate, { ...rollbackPrev, dryRun: true })).toBeUndefined();
    expect(permits(mandate, { ...deployA, dryRun: true })).toBeUndefined();
  });

  it('refuses to act on a question, a preview or a negation', () => {
    for (const text of [
      'why did the last rollback happen?',
      'what would change if I roll back?',
      'dry run a rollback',
      'Deploy the latest dashboard, not 2c438a2b',
    ]) {
      const mandate = wordsMandate(routeIntent(text));
      expect(permits(mandate, rollbackPrev), text).toMatch(/not a request to change anything/);
      expect(permits(mandate, deployLatest), text).toMatch(/not a request to change anything/);
    }
  });

  it('allows exactly the action and target the words name', () => {
    const latest = wordsMandate(routeIntent('Deploy the latest dashboard'));
    expect(permits(latest, deployLatest)).toBeUndefined();
    expect(permits(latest, deployA)).toMatch(/the latest dashboard commit/);
    expect(permits(latest, rollbackPrev)).toMatch(/asked to deploy, not to roll back/);

    const bySha = wordsMandate(routeIntent('deploy abc1234'));
    expect(permits(bySha, deployA)).toBeUndefined();
    expect(
      permits(bySha, { ...deployA, target: { kind: 'commit', sha: 'abc1234ffffffff' } }),
    ).toBeUndefined();
    expect(permits(bySha, { ...deployA, target: { kind: 'commit', sha: 'def5678' } })).toMatch(/abc1234/);

    const back = wordsMandate(routeIntent('roll back'));
    expect(permits(back, rollbackPrev)).toBeUndefined();
    expect(
      permits(back, { ...rollbackPrev, to: { kind: 'tag', tag: 'dashboard-deploy-20261122-2' } }),
    ).toMatch(/release before the live one/);
  });

  it('a structured request (flags, an MCP tool call, the timer) is its own mandate', () => {
    expect(permits({ kind: 'explicit' }, deployA)).toBeUndefined();
    expect(permits({ kind: 'explicit' }, rollbackPrev)).toBeUndefined();
  });
});
