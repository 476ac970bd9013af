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
