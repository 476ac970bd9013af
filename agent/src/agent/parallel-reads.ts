/**
 * Runs independent reads at once but fails like a sequential program would: with the rejection of the
 * first read in the listed order. `Promise.all` rejects with whichever read fails first in time, so with
 * several reads against one dead endpoint the error a person sees (and a script matches) would change
 * from run to run.
 */
export async function allInOrder<T extends readonly unknown[]>(
  reads: readonly [...{ [K in keyof T]: Promise<T[K]> | T[K] }],
): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const values: unknown[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values as unknown as T;
}
