import type { Deployment } from '../api/deployments.js';
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

export const deployments: Deployment[] = [
  {
    releaseId: 'r2',
    commit: LIVE_COMMIT,
    tag: 'dashboard-deploy-20261123-1',
    trigger: 'chat',
    requestedBy: 'maria@sophia.ai',
    finishedAt: '2026-11-23T09:41:12Z',
    copied: 3,
    unchanged: 4,
    deleted: 0,
  },
  {
    releaseId: 'r1',
    commit: '9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d',
    tag: 'dashboard-deploy-20261122-1',
    trigger: 'schedule',
    requestedBy: 'github-actions',
    finishedAt: '2026-11-22T15:30:40Z',
    copied: 7,
  },
];

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
