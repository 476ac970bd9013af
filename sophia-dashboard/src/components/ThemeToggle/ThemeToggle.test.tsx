// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { setUpDomTests } from '../../testing/dom.js';
import { ThemeToggle } from './ThemeToggle.js';

setUpDomTests();

describe('ThemeToggle', () => {
  it('is a "Dark theme" switch that is on in the dark theme and off in the light one', () => {
    const { rerender } = render(<ThemeToggle theme="dark" onToggle={() => {}} />);
    expect(screen.getByRole('switch', { name: 'Dark theme' }).getAttribute('aria-checked')).toBe('true');
    rerender(<ThemeToggle theme="light" onToggle={() => {}} />);
    expect(screen.getByRole('switch', { name: 'Dark theme' }).getAttribute('aria-checked')).toBe('false');
  });

  it('toggles from the keyboard as well as the mouse', async () => {
    const onToggle = vi.fn();
    const user = userEvent.setup();
    render(<ThemeToggle theme="light" onToggle={onToggle} />);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('switch'));
    await user.keyboard('[Space]');
    await user.click(screen.getByRole('switch'));
    expect(onToggle).toHaveBeenCalledTimes(2);
  });
});
