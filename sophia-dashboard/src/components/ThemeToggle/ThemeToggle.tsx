import type { Theme } from '../../hooks/useTheme.js';
import { MoonIcon, SunIcon } from '../Icons/Icons.js';
import './ThemeToggle.css';

export interface ThemeToggleProps {
  theme: Theme;
  onToggle: () => void;
}

/** A switch: "Dark theme" on or off. The icon shows the current theme. */
export function ThemeToggle({ theme, onToggle }: ThemeToggleProps) {
  const dark = theme === 'dark';
  return (
    <button type="button" role="switch" aria-checked={dark} className="theme-toggle" onClick={onToggle}>
      <span className="theme-toggle__track" aria-hidden="true">
        <span className="theme-toggle__thumb">{dark ? <MoonIcon /> : <SunIcon />}</span>
      </span>
      <span className="sr-only">Dark theme</span>
    </button>
  );
}
