// Formatting is pinned to en-US and UTC so every visitor (and every test) reads the same numbers.
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const dayLabel = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dateTime = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

export const formatInteger = (value: number): string => integer.format(value);
export const formatCompact = (value: number): string => compact.format(value);
export const formatPercent = (value: number, digits = 1): string => `${value.toFixed(digits)}%`;
export const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
/** `2026-11-09` → `Nov 9`. */
export const formatDay = (isoDate: string): string => dayLabel.format(new Date(`${isoDate}T00:00:00Z`));
/** `Nov 23, 2026, 09:32 UTC`. */
export const formatDateTime = (iso: string): string => `${dateTime.format(new Date(iso))} UTC`;
export const shortSha = (sha: string): string => sha.slice(0, 7);

const relative = new Intl.RelativeTimeFormat('en-US', { numeric: 'always' });

/** Thresholds in seconds: below each, the time is said in that unit (`3 minutes ago`, `2 days ago`). */
const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number, number]> = [
  ['minute', 60, 45 * 60],
  ['hour', 3600, 22 * 3600],
  ['day', 86_400, 26 * 86_400],
  ['month', 30 * 86_400, 320 * 86_400],
  ['year', 365 * 86_400, Number.POSITIVE_INFINITY],
];

/** `3 minutes ago`, `2 days ago` (en-US, like every format here); `just now` within 45 s. */
export function formatRelativeTime(iso: string, now: Date): string {
  const seconds = (Date.parse(iso) - now.getTime()) / 1000;
  const size = Math.abs(seconds);
  if (size < 45) return 'just now';
  for (const [unit, unitSeconds, below] of UNITS) {
    if (size < below) return relative.format(Math.round(seconds / unitSeconds) || Math.sign(seconds), unit);
  }
  return relative.format(Math.round(seconds / (365 * 86_400)), 'year');
}

/** `850 ms`, `42 s`, `3 min 5 s`, `1 h 2 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) {
    const seconds = totalSeconds % 60;
    return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
