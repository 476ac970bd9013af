// Decorative inline icons: hidden from assistive technology, the surrounding text carries the meaning.
import type { ReactNode } from 'react';

interface IconProps {
  size?: number;
  viewBox?: string;
  children: ReactNode;
}

function Icon({ size = 20, viewBox = '0 0 24 24', children }: IconProps) {
  return (
    <svg
      aria-hidden="true"
      focusable="false"
      width={size}
      height={size}
      viewBox={viewBox}
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {children}
    </svg>
  );
}

export function LogoMark() {
  return (
    <Icon size={32} viewBox="0 0 32 32">
      <rect width="32" height="32" rx="9" fill="var(--accent)" stroke="none" />
      <path
        d="M21.5 10.5c-1.3-1.4-3.2-2.2-5.4-2.2-3.4 0-5.8 1.9-5.8 4.5 0 5.6 11.2 3.4 11.2 8.6 0 2.3-2.3 4.3-5.7 4.3-2.4 0-4.5-.9-5.9-2.5"
        stroke="var(--on-accent)"
        strokeWidth="2.6"
      />
    </Icon>
  );
}

export function SunIcon() {
  return (
    <Icon size={16}>
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </Icon>
  );
}

export function MoonIcon() {
  return (
    <Icon size={16}>
      <path d="M20.5 14.5A8.5 8.5 0 0 1 9.5 3.5a8.5 8.5 0 1 0 11 11Z" />
    </Icon>
  );
}

export function CommitIcon() {
  return (
    <Icon size={16}>
      <circle cx="12" cy="12" r="3.5" />
      <path d="M2 12h6.5M15.5 12H22" />
    </Icon>
  );
}

export function ClockIcon() {
  return (
    <Icon size={16}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7v5l3 2" />
    </Icon>
  );
}

export function RocketIcon() {
  return (
    <Icon size={28}>
      <path d="M5 15c-1.5 1.3-2 5-2 5s3.7-.5 5-2c.7-.8.7-2.1-.1-2.9a2.1 2.1 0 0 0-2.9-.1Z" />
      <path d="M12 15l-3-3a22 22 0 0 1 2-3.9A12.9 12.9 0 0 1 22 2c0 2.7-.8 7.5-6 11a22.4 22.4 0 0 1-4 2Z" />
      <path d="M9 12H4s.6-3 2-4c1.6-1.1 5 0 5 0M12 15v5s3-.6 4-2c1.1-1.6 0-5 0-5" />
    </Icon>
  );
}

export function AlertIcon() {
  return (
    <Icon>
      <path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
      <path d="M12 9v4M12 17h.01" />
    </Icon>
  );
}
