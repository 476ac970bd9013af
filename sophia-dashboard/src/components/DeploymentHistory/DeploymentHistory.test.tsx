// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { setUpDomTests } from '../../testing/dom.js';
import { deployments, LIVE_COMMIT } from '../../testing/fixtures.js';
import { DeploymentHistory } from './DeploymentHistory.js';

setUpDomTests();

const section = () => screen.getByRole('region', { name: 'Deployments' });

describe('DeploymentHistory', () => {
  it('announces that it is loading', () => {
    render(<DeploymentHistory deployments={{ state: 'loading' }} onRetry={() => {}} />);
    expect(within(section()).getByRole('status').textContent).toBe('Loading deployment history…');
  });

  it('shows a friendly empty state when deployments.json is not published', () => {
    render(<DeploymentHistory deployments={{ state: 'absent' }} onRetry={() => {}} />);
    expect(within(section()).getByText('No deployments recorded yet')).toBeTruthy();
    expect(within(section()).queryByRole('table')).toBeNull();
    expect(within(section()).queryByRole('alert')).toBeNull();
  });

  it('shows the same empty state for a published but empty history', () => {
    render(<DeploymentHistory deployments={{ state: 'ok', value: [] }} onRetry={() => {}} />);
    expect(within(section()).getByText('No deployments recorded yet')).toBeTruthy();
  });

  it('explains a broken history and retries on request', async () => {
    const onRetry = vi.fn();
    render(
      <DeploymentHistory
        deployments={{ state: 'error', message: '/deployments.json answered HTTP 500' }}
        onRetry={onRetry}
      />,
    );
    const alert = within(section()).getByRole('alert');
    expect(alert.textContent).toContain('/deployments.json answered HTTP 500');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('lists releases in a table and marks the one this page was built from as live', () => {
    render(
      <DeploymentHistory
        deployments={{ state: 'ok', value: deployments }}
        liveCommit={LIVE_COMMIT}
        onRetry={() => {}}
      />,
    );
    const table = within(section()).getByRole('table', { name: /most recent deployments, newest first/ });
    const [header, ...rows] = within(table).getAllByRole('row');
    expect(
      within(header!)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual(['Release', 'Commit', 'Trigger', 'Requested by', 'Finished', 'Files']);
    expect(rows).toHaveLength(2);
    const live = within(rows[0]!).getByRole('rowheader');
    expect(live.textContent).toBe('dashboard-deploy-20261123-1Live');
    expect(within(rows[0]!).getByText('0123456').getAttribute('title')).toBe(LIVE_COMMIT);
    expect(within(rows[0]!).getByRole('cell', { name: '3 copied · 4 unchanged · 0 deleted' })).toBeTruthy();
    expect(within(rows[1]!).getByRole('rowheader').textContent).toBe('dashboard-deploy-20261122-1');
    expect(within(rows[1]!).getByRole('cell', { name: '7 copied' })).toBeTruthy();
  });

  it('shows only the newest releases up to its limit and says how many there are', () => {
    render(
      <DeploymentHistory deployments={{ state: 'ok', value: deployments }} limit={1} onRetry={() => {}} />,
    );
    const table = within(section()).getByRole('table', {
      name: 'The 1 most recent deployments, newest first, of 2',
    });
    expect(within(table).getAllByRole('row')).toHaveLength(2);
  });
});
