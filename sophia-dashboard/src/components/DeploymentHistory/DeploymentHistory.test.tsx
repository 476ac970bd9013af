// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { DeploymentHistoryData } from '../../api/deployments.js';
import { setUpDomTests } from '../../testing/dom.js';
import { deploymentHistory, NOW } from '../../testing/fixtures.js';
import { DeploymentHistory } from './DeploymentHistory.js';

setUpDomTests();

const section = () => screen.getByRole('region', { name: 'Deployments' });
const ok = (value: DeploymentHistoryData) => ({ state: 'ok' as const, value });

function renderHistory(value: DeploymentHistoryData = deploymentHistory, limit?: number) {
  render(
    <DeploymentHistory
      deployments={ok(value)}
      now={NOW}
      onRetry={() => {}}
      {...(limit === undefined ? {} : { limit })}
    />,
  );
  const table = within(section()).getByRole('table');
  const [header, ...rows] = within(table).getAllByRole('row');
  return { table, header: header as HTMLElement, rows };
}

describe('DeploymentHistory', () => {
  it('announces that it is loading', () => {
    render(<DeploymentHistory deployments={{ state: 'loading' }} now={NOW} onRetry={() => {}} />);
    expect(within(section()).getByRole('status').textContent).toBe('Loading deployment history…');
  });

  it('shows a friendly empty state, and no alert, when deployments.json is not published yet', () => {
    render(<DeploymentHistory deployments={{ state: 'absent' }} now={NOW} onRetry={() => {}} />);
    expect(within(section()).getByText('No deployments recorded yet')).toBeTruthy();
    expect(within(section()).queryByRole('table')).toBeNull();
    expect(within(section()).queryByRole('alert')).toBeNull();
  });

  it('shows the same empty state for a published history without releases', () => {
    render(
      <DeploymentHistory
        deployments={ok({ stack: 'prod', live: null, releases: [] })}
        now={NOW}
        onRetry={() => {}}
      />,
    );
    expect(within(section()).getByText('No deployments recorded yet')).toBeTruthy();
  });

  it('explains a broken history and retries on request', async () => {
    const onRetry = vi.fn();
    render(
      <DeploymentHistory
        deployments={{
          state: 'error',
          message: '/deployments.json has an unexpected shape (releases.0.kind: Invalid option)',
        }}
        now={NOW}
        onRetry={onRetry}
      />,
    );
    const alert = within(section()).getByRole('alert');
    expect(alert.textContent).toContain('releases.0.kind');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('is a captioned table with scoped column and row headers', () => {
    const { table, header, rows } = renderHistory();
    expect(table.querySelector('caption')?.textContent).toBe(
      'The 3 most recent deployments of dashboard-hosting-prod, newest first',
    );
    const columns = within(header).getAllByRole('columnheader');
    expect(columns.map((th) => th.textContent)).toEqual([
      'Release',
      'Commit',
      'Change',
      'Trigger',
      'Requested by',
      'When',
      'Duration',
      'Files changed',
    ]);
    for (const th of columns) expect(th.getAttribute('scope')).toBe('col');
    for (const row of rows) expect(within(row).getByRole('rowheader').getAttribute('scope')).toBe('row');
  });

  it('lists the releases newest first: the rollback marked, and the live one marked in words', () => {
    const { rows } = renderHistory();
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'dashboard-deploy-20261123-3LiveRollback',
      'dashboard-deploy-20261123-2',
      'dashboard-deploy-20261122-1',
    ]);
    const [live, previous] = rows as [HTMLElement, HTMLElement];
    expect(live.getAttribute('aria-current')).toBe('true');
    expect(previous.getAttribute('aria-current')).toBeNull();
    expect(within(live).getByText('Live')).toBeTruthy();
    expect(within(live).getByText('Rollback')).toBeTruthy();
  });

  it('shows commit, subject, trigger, requester, duration and files changed for each release', () => {
    const { rows } = renderHistory();
    const cells = (row: HTMLElement) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    expect(cells(rows[0] as HTMLElement)).toEqual([
      '9c1d2e3',
      'Header: show the environment',
      'Chat',
      'maria',
      '3 minutes ago',
      '30 s',
      '3 files',
    ]);
    expect(cells(rows[1] as HTMLElement)).toEqual([
      '0123456',
      'Charts: first-reply time in seconds',
      'Timer',
      'schedule (deployer)',
      '2 hours ago',
      '1 min 5 s',
      '1 file',
    ]);
    expect(within(rows[2] as HTMLElement).getByText('Workflow')).toBeTruthy();
    expect(
      within(rows[0] as HTMLElement)
        .getByText('9c1d2e3')
        .getAttribute('title'),
    ).toBe('9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d');
  });

  it('gives each relative time its exact instant in <time dateTime> and a title', () => {
    const { rows } = renderHistory();
    const time = (rows[0] as HTMLElement).querySelector('time');
    expect(time?.getAttribute('dateTime')).toBe('2026-11-23T09:57:00Z');
    expect(time?.getAttribute('title')).toBe('Nov 23, 2026, 09:57 UTC');
    expect(time?.textContent).toBe('3 minutes ago');
  });

  it('marks automatic rollbacks, rolled-back and unfinished releases in words', () => {
    const [first, second] = deploymentHistory.releases as [
      (typeof deploymentHistory.releases)[number],
      (typeof deploymentHistory.releases)[number],
    ];
    const { rows } = renderHistory({
      stack: 'prod',
      live: 'a',
      releases: [
        {
          ...first,
          releaseId: 'p',
          tag: null,
          kind: 'deploy',
          status: 'pending',
          finishedAt: null,
          durationMs: null,
        },
        { ...first, releaseId: 'a', kind: 'auto-rollback' },
        { ...second, releaseId: 'b', status: 'rolled_back', filesChanged: null },
      ],
    });
    const headers = rows.map((row) => within(row).getByRole('rowheader').textContent);
    expect(headers).toEqual([
      'untaggedUnfinished',
      'dashboard-deploy-20261123-3LiveAutomatic rollback',
      'dashboard-deploy-20261123-2Rolled back',
    ]);
    // A pending release has no finish time yet: its start is shown, and no duration.
    expect(within(rows[0] as HTMLElement).getAllByRole('cell')[5]?.textContent).toBe('—');
    expect((rows[0] as HTMLElement).querySelector('time')?.getAttribute('dateTime')).toBe(first.startedAt);
    expect(within(rows[2] as HTMLElement).getAllByRole('cell')[6]?.textContent).toBe('—');
  });

  it('marks nothing live when the history says nothing is', () => {
    const { rows } = renderHistory({ ...deploymentHistory, live: null });
    expect(rows.every((row) => row.getAttribute('aria-current') === null)).toBe(true);
    expect(within(section()).queryByText('Live')).toBeNull();
  });

  it('shows only the newest releases up to its limit and says how many there are', () => {
    const { table, rows } = renderHistory(deploymentHistory, 1);
    expect(table.querySelector('caption')?.textContent).toBe(
      'The 1 most recent deployments of dashboard-hosting-prod, newest first, of 3',
    );
    expect(rows).toHaveLength(1);
  });
});
