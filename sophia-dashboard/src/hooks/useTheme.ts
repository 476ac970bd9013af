import { useCallback, useEffect, useState } from 'react';

export type Theme = 'light' | 'dark';

/** Where the theme choice comes from and goes to. The default reads the browser; tests pass their own. */
export interface ThemeEnvironment {
  /** The visitor's earlier explicit choice, if any. */
  stored(): Theme | undefined;
  store(theme: Theme): void;
  /** The operating system's preference (`prefers-color-scheme`). */
  systemPrefersDark(): boolean;
  /** Calls back when the OS preference changes; returns an unsubscribe function. */
  onSystemChange(callback: (dark: boolean) => void): () => void;
  /** Applies the theme to the page (CSS reads `:root[data-theme]`). */
  apply(theme: Theme): void;
}

const STORAGE_KEY = 'sophia-dashboard:theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

function darkQuery(): MediaQueryList | undefined {
  return typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : undefined;
}

export const browserThemeEnvironment: ThemeEnvironment = {
  stored() {
    try {
      const value = window.localStorage.getItem(STORAGE_KEY);
      return value === 'light' || value === 'dark' ? value : undefined;
    } catch {
      // Storage can be disabled (privacy modes); the OS preference is a fine fallback.
      return undefined;
    }
  },
  store(theme) {
    try {
      window.localStorage.setItem(STORAGE_KEY, theme);
    } catch {
      // Not persisting the choice is acceptable; the toggle still works for this visit.
    }
  },
  systemPrefersDark: () => darkQuery()?.matches ?? false,
  onSystemChange(callback) {
    const query = darkQuery();
    if (!query) return () => {};
    const listener = (event: MediaQueryListEvent) => callback(event.matches);
    query.addEventListener('change', listener);
    return () => query.removeEventListener('change', listener);
  },
  apply(theme) {
    document.documentElement.dataset.theme = theme;
  },
};

/**
 * Light or dark: an explicit choice wins and is remembered; until the visitor makes one, the page
 * follows the operating system, including when it changes while the page is open.
 */
export function useTheme(env: ThemeEnvironment = browserThemeEnvironment): {
  theme: Theme;
  toggle: () => void;
} {
  const [choice, setChoice] = useState<Theme | undefined>(() => env.stored());
  const [systemDark, setSystemDark] = useState(() => env.systemPrefersDark());
  const theme: Theme = choice ?? (systemDark ? 'dark' : 'light');

  useEffect(() => env.onSystemChange(setSystemDark), [env]);
  useEffect(() => env.apply(theme), [env, theme]);

  const toggle = useCallback(() => {
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    env.store(next);
    setChoice(next);
  }, [env, theme]);

  return { theme, toggle };
}
