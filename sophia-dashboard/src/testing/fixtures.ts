import type { DeploymentHistoryData, Release } from '../api/deployments.js';
import type { Version } from '../api/version.js';
import type { DailyStats, OperationsData } from '../data/operations.js';

export const LIVE_COMMIT = '0123456789abcdef0123456789abcdef01234567';

export const version: Version = { commit: LIVE_COMMIT, builtAt: '2026-11-23T09:32:00.000Z' };

export function day(date: string, overrides: Partial<DailyStats> = {}): DailyStats {
  return {
    date,
    conversations: 1000,
    resolved: 700,
    escalated: 300,
    p50Ms: 2000,
    p95Ms: 5000,
    csat: 4.5,
    availabilityPct: 99.9,
    ...overrides,
  };
}

/** The time the component tests read the history at. */
export const NOW = new Date('2026-11-23T10:00:00Z');

const release = (overrides: Partial<Release> & Pick<Release, 'releaseId' | 'commit'>): Release => ({
  tag: null,
  subject: null,
  startedAt: '2026-11-23T09:00:00Z',
  finishedAt: '2026-11-23T09:00:40Z',
  requestedBy: 'maria',
  trigger: 'cli',
  kind: 'deploy',
  status: 'complete',
  filesChanged: 3,
  durationMs: 40_000,
  ...overrides,
});

/** Two deploys and a rollback to the first, newest first, as `deployments.json` lists them. */
export const deploymentHistory: DeploymentHistoryData = {
  stack: 'dashboard-hosting-prod',
  live: 'r3',
  releases: [
    release({
      releaseId: 'r3',
      commit: '9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d',
      tag: 'dashboard-deploy-20261123-3',
      subject: 'Header: show the environment',
      startedAt: '2026-11-23T09:56:30Z',
      finishedAt: '2026-11-23T09:57:00Z',
      requestedBy: 'maria',
      trigger: 'chat',
      kind: 'rollback',
      filesChanged: 3,
      durationMs: 30_000,
    }),
    release({
      releaseId: 'r2',
      commit: LIVE_COMMIT,
      tag: 'dashboard-deploy-20261123-2',
      subject: 'Charts: first-reply time in seconds',
      startedAt: '2026-11-23T08:00:00Z',
      finishedAt: '2026-11-23T08:01:05Z',
      requestedBy: 'schedule (deployer)',
      trigger: 'schedule',
      filesChanged: 1,
      durationMs: 65_000,
    }),
    release({
      releaseId: 'r1',
      commit: '9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d',
      tag: 'dashboard-deploy-20261122-1',
      subject: 'Header: show the environment',
      startedAt: '2026-11-22T15:30:00Z',
      finishedAt: '2026-11-22T15:30:40Z',
      requestedBy: 'github-actions',
      trigger: 'workflow',
      filesChanged: 9,
      durationMs: 40_000,
    }),
  ],
};

/** A small two-period data set: 2 days baseline, 2 days current. */
export const smallOperations: OperationsData = {
  schema: 1,
  product: 'Sophia',
  environment: 'Production',
  generatedAt: '2026-11-23T06:00:00Z',
  periodDays: 2,
  daily: [
    day('2026-11-19'),
    day('2026-11-20'),
    day('2026-11-21', { conversations: 1200, resolved: 900, escalated: 300, p50Ms: 1800 }),
    day('2026-11-22', { conversations: 1000, resolved: 800, escalated: 200, p50Ms: 1600 }),
  ],
  channels: [
    { channel: 'Email', conversations: 700, resolved: 500, escalated: 200 },
    { channel: 'Web chat', conversations: 1500, resolved: 1200, escalated: 300 },
  ],
};
