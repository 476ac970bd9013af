import { z } from 'zod';
import { ERROR_IN_200_OPERATIONS } from './s3-operation.js';

/**
 * Fault injection for the S3 endpoint. Every kind is something real S3 does under load, and the engine must
 * survive each: throttling (503 SlowDown), a server error (500 InternalError), a connection reset before any
 * response, and a copy that answers 200 OK with an `<Error>` body.
 */
export const FAULT_KINDS = ['slowdown', 'internal', 'reset', 'copy-error-body'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FaultSettingsSchema = z
  .object({
    rate: z.number().min(0).max(1),
    kinds: z.array(z.enum(FAULT_KINDS)).min(1).optional(),
    /** Replays the same fault sequence: tests that must see faults happen set it, benchmarks too. */
    seed: z.number().int().optional(),
  })
  .strict();

export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

/**
 * Picks the fault for one request, or undefined for none. `random` returns [0, 1) like Math.random.
 * A kind that cannot happen to this operation (a 200-with-error body on a GET) is never chosen; if no
 * configured kind fits, the request passes.
 */
export function chooseFault(
  settings: FaultSettings,
  operation: string,
  random: () => number,
): FaultKind | undefined {
  if (settings.rate <= 0) return undefined;
  const kinds = (settings.kinds ?? FAULT_KINDS).filter(
    (kind) => kind !== 'copy-error-body' || ERROR_IN_200_OPERATIONS.has(operation),
  );
  if (kinds.length === 0) return undefined;
  if (random() >= settings.rate) return undefined;
  const index = Math.min(kinds.length - 1, Math.floor(random() * kinds.length));
  return kinds[index];
}

/** mulberry32: a tiny, well-known seeded PRNG, so a fault sequence can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
