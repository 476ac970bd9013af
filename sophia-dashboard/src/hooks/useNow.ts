import { useEffect, useState } from 'react';

/**
 * The current time, refreshed every `intervalMs`, so "3 minutes ago" keeps counting while the page
 * stays open. The clock is injectable: tests pin it.
 */
export function useNow(clock: () => Date = () => new Date(), intervalMs = 30_000): Date {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), intervalMs);
    return () => clearInterval(timer);
  }, [clock, intervalMs]);
  return now;
}
