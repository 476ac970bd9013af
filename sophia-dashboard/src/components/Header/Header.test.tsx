// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { setUpDomTests } from '../../testing/dom.js';
import { LIVE_COMMIT, version } from '../../testing/fixtures.js';
import { Header } from './Header.js';

setUpDomTests();

const base = {
  product: 'Sophia',
  environment: 'Production',
  theme: 'light' as const,
  onToggleTheme: () => {},
};

describe('Header', () => {
  it('is the page banner and shows the live commit and build time', () => {
    render(<Header {...base} version={{ state: 'ok', value: version }} />);
    const banner = screen.getByRole('banner');
    const live = within(banner).getByRole('group', { name: 'Live version' });
    expect(within(live).getByText('0123456')).toHaveProperty('title', LIVE_COMMIT);
    expect(live.querySelector('[data-commit]')?.getAttribute('data-commit')).toBe(LIVE_COMMIT);
    expect(within(live).getByText('Nov 23, 2026, 09:32 UTC').getAttribute('datetime')).toBe(version.builtAt);
    expect(within(banner).getByText('Production')).toBeTruthy();
  });

  it('says it is checking while version.json loads', () => {
    render(<Header {...base} version={{ state: 'loading' }} />);
    expect(screen.getByRole('status').textContent).toBe('Checking version…');
  });

  it('says the version is unknown when version.json is missing or broken', () => {
    const { rerender } = render(<Header {...base} version={{ state: 'absent' }} />);
    expect(screen.getByText('Version unknown')).toBeTruthy();
    rerender(<Header {...base} version={{ state: 'error', message: '/version.json answered HTTP 500' }} />);
    expect(screen.getByText('Version unknown').getAttribute('title')).toBe('/version.json answered HTTP 500');
    expect(screen.queryByRole('group', { name: 'Live version' })).toBeNull();
  });

  it('hands theme changes to its callback', async () => {
    const onToggleTheme = vi.fn();
    render(<Header {...base} onToggleTheme={onToggleTheme} version={{ state: 'loading' }} />);
    await userEvent.click(screen.getByRole('switch', { name: 'Dark theme' }));
    expect(onToggleTheme).toHaveBeenCalledTimes(1);
  });
});
