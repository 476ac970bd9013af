import type { Remote } from '../../api/remote.js';
import type { Version } from '../../api/version.js';
import type { Theme } from '../../hooks/useTheme.js';
import { LogoMark } from '../Icons/Icons.js';
import { ThemeToggle } from '../ThemeToggle/ThemeToggle.js';
import { VersionBadge } from '../VersionBadge/VersionBadge.js';
import './Header.css';

export interface HeaderProps {
  product: string;
  environment: string;
  version: Remote<Version>;
  theme: Theme;
  onToggleTheme: () => void;
}

export function Header({ product, environment, version, theme, onToggleTheme }: HeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <div className="brand">
          <LogoMark />
          <p className="brand__name">
            {product} <span className="brand__product">Operations</span>
          </p>
          <span className="env-pill">
            <span className="env-pill__dot" aria-hidden="true" />
            {environment}
          </span>
        </div>
        <div className="app-header__tools">
          <VersionBadge version={version} />
          <ThemeToggle theme={theme} onToggle={onToggleTheme} />
        </div>
      </div>
    </header>
  );
}
