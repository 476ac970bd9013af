import { useCallback, useEffect, useState } from 'react';
import type { Remote, Settled } from '../api/remote.js';

export type Loader<T> = (signal: AbortSignal) => Promise<Settled<T>>;

/** Runs `load` on mount and on `reload()`; a newer run or unmount aborts the older one. */
export function useRemote<T>(load: Loader<T>): { remote: Remote<T>; reload: () => void } {
  const [remote, setRemote] = useState<Remote<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reload trigger.
  useEffect(() => {
    const controller = new AbortController();
    setRemote({ state: 'loading' });
    load(controller.signal).then(
      (result) => {
        if (!controller.signal.aborted) setRemote(result);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setRemote({ state: 'error', message: error instanceof Error ? error.message : String(error) });
        }
      },
    );
    return () => controller.abort();
  }, [load, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { remote, reload };
}
