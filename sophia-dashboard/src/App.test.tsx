// @vitest-environment jsdom
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from './App.js';
import type { DeploymentHistoryData } from './api/deployments.js';
import type { Settled } from './api/remote.js';
import type { Version } from './api/version.js';
import { operations } from './data/operations.js';
import type { Theme, ThemeEnvironment } from './hooks/useTheme.js';
import { setUpDomTests } from './testing/dom.js';
import { deploymentHistory, LIVE_COMMIT, NOW, version } from './testing/fixtures.js';

setUpDomTests();

/** An in-memory theme environment: a stored choice, an OS preference we can flip, and the applied theme. */
class FakeThemeEnvironment implements ThemeEnvironment {
  applied: Theme | undefined;
  saved: Theme | undefined;
  private systemDark: boolean;
  private readonly listeners = new Set<(dark: boolean) => void>();

  constructor(options: { stored?: Theme; systemDark?: boolean }) {
    this.saved = options.stored;
    this.systemDark = options.systemDark ?? false;
  }

  stored = () => this.saved;
  store = (theme: Theme) => {
    this.saved = theme;
  };
  systemPrefersDark = () => this.systemDark;
  onSystemChange = (callback: (dark: boolean) => void) => {
    this.listeners.add(callback);
    return () => {
      this.listeners.delete(callback);
    };
  };
  apply = (theme: Theme) => {
    this.applied = theme;
  };

  setSystemDark(dark: boolean): void {
    this.systemDark = dark;
    for (const listener of this.listeners) listener(dark);
  }
}

const clock = () => NOW;

const fakeThemeEnvironment = (options: { stored?: Theme; systemDark?: boolean } = {}) =>
  new FakeThemeEnvironment(options);

function renderApp(
  options: {
    version?: Settled<Version>;
    deployments?: () => Promise<Settled<DeploymentHistoryData>>;
    theme?: FakeThemeEnvironment;
  } = {},
) {
  const loadVersion = vi.fn(async () => options.version ?? { state: 'ok' as const, value: version });
  const loadDeployments = vi.fn(options.deployments ?? (async () => ({ state: 'absent' as const })));
  const themeEnvironment = options.theme ?? fakeThemeEnvironment();
  render(
    <App
      data={operations}
      loadVersion={loadVersion}
      loadDeployments={loadDeployments}
      themeEnvironment={themeEnvironment}
      clock={clock}
    />,
  );
  return { loadVersion, loadDeployments, themeEnvironment };
}

describe('App', () => {
  it('has a banner, a main region with the page heading, and a footer', async () => {
    renderApp();
    expect(screen.getByRole('banner')).toBeTruthy();
    const main = screen.getByRole('main');
    expect(within(main).getByRole('heading', { level: 1, name: 'Operations overview' })).toBeTruthy();
    expect(screen.getByRole('contentinfo')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Skip to content' }).getAttribute('href')).toBe('#main');
    await screen.findByRole('group', { name: 'Live version' });
  });

  it('shows the live version from version.json in the header', async () => {
    renderApp();
    const live = await within(screen.getByRole('banner')).findByRole('group', { name: 'Live version' });
    expect(within(live).getByText(LIVE_COMMIT.slice(0, 7))).toBeTruthy();
  });

  it('renders the KPI cards and three described charts from the bundled data', async () => {
    renderApp();
    const kpis = screen.getByRole('region', { name: /^Key metrics/ });
    expect(within(kpis).getAllByRole('article')).toHaveLength(5);
    expect(within(kpis).getByRole('article', { name: 'Conversations' }).textContent).toContain('48,584');
    const charts = screen.getByRole('region', { name: 'Trends' });
    expect(within(charts).getAllByRole('figure')).toHaveLength(3);
    for (const name of ['Conversations per day', 'First-reply time', 'Conversations by channel']) {
      const figure = within(charts).getByRole('figure', { name });
      const description = document.getElementById(figure.getAttribute('aria-describedby') ?? '');
      expect(description?.textContent).toMatch(/\d/);
    }
    expect(
      within(charts).getByRole('table', { name: 'Conversations per day' }).querySelectorAll('tbody tr'),
    ).toHaveLength(operations.periodDays);
    await screen.findByText('No deployments recorded yet');
  });

  it('shows the empty deployment state when deployments.json is absent', async () => {
    renderApp();
    const section = screen.getByRole('region', { name: 'Deployments' });
    expect(await within(section).findByText('No deployments recorded yet')).toBeTruthy();
  });

  it('shows the history from deployments.json with the live release marked', async () => {
    renderApp({ deployments: async () => ({ state: 'ok', value: deploymentHistory }) });
    const table = await screen.findByRole('table', { name: /most recent deployments/ });
    const live = within(table).getByText('Live').closest('tr');
    expect(live?.textContent).toContain('dashboard-deploy-20261123-3');
    expect(live?.textContent).toContain('3 minutes ago');
  });

  it('fetches the history again when the visitor retries after an error', async () => {
    let attempts = 0;
    const { loadDeployments } = renderApp({
      deployments: async () =>
        ++attempts === 1
          ? { state: 'error', message: '/deployments.json answered HTTP 503' }
          : { state: 'ok', value: deploymentHistory },
    });
    const alert = await screen.findByRole('alert');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: /most recent deployments/ })).toBeTruthy();
    expect(loadDeployments).toHaveBeenCalledTimes(2);
  });

  it('follows the OS color scheme until the visitor chooses, then remembers the choice', async () => {
    const theme = fakeThemeEnvironment({ systemDark: true });
    renderApp({ theme });
    const toggle = screen.getByRole('switch', { name: 'Dark theme' });
    expect(theme.applied).toBe('dark');
    expect(toggle.getAttribute('aria-checked')).toBe('true');

    await userEvent.click(toggle);
    expect(theme.applied).toBe('light');
    expect(theme.saved).toBe('light');

    // An explicit choice wins over a later OS change.
    act(() => theme.setSystemDark(true));
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('false'));
    await screen.findByRole('group', { name: 'Live version' });
  });

  it('starts from a remembered choice rather than the OS preference', async () => {
    const theme = fakeThemeEnvironment({ stored: 'dark', systemDark: false });
    renderApp({ theme });
    expect(theme.applied).toBe('dark');
    await screen.findByRole('group', { name: 'Live version' });
  });

  it('switches with the OS while no choice has been made', async () => {
    const theme = fakeThemeEnvironment({ systemDark: false });
    renderApp({ theme });
    expect(theme.applied).toBe('light');
    act(() => theme.setSystemDark(true));
    await waitFor(() => expect(theme.applied).toBe('dark'));
    await screen.findByRole('group', { name: 'Live version' });
  });
});
