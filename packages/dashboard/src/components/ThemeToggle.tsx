import { useEffect, useState } from 'react';

type Theme = 'light' | 'dark';
const KEY = 'harness.theme';

/** The theme the system prefers until the user picks one (kept in localStorage: it is no secret). */
function initialTheme(): Theme {
  try {
    const saved = window.localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // No storage: follow the system.
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    setTheme(next);
    try {
      window.localStorage.setItem(KEY, next);
    } catch {
      // The choice lasts for this page only.
    }
  };
  return (
    <button
      type="button"
      aria-label="Toggle theme"
      title={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`}
      onClick={toggle}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}
