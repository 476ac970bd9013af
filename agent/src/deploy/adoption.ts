import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FrontendOpsError } from '../errors.js';

/**
 * Objects in the hosting bucket that no release record knows (a bucket filled by hand or by another
 * tool before FrontendOps, or files left there out of band). The engine deletes only what it put
 * there, so these are kept and listed in the plan — until the operator adopts them with
 * `--adopt <id>`. The id is a short hash of the exact set (keys and ETags, sorted), shown only by a
 * plan, so "delete them" always means "delete the set I was shown": a set that changed since (one
 * object more, one overwritten) has another id and the deploy is refused.
 */
export interface UnknownObject {
  path: string;
  etag: string;
  size: number;
}

export const ADOPTION_ID_LENGTH = 12;

export const AdoptionIdSchema = z
  .string()
  .regex(
    new RegExp(`^[0-9a-f]{${ADOPTION_ID_LENGTH}}$`),
    `an adoption id is ${ADOPTION_ID_LENGTH} lowercase hex characters, as the plan shows it`,
  )
  .describe('The adoption id a plan (`deploy --dry-run`) showed for the objects no release knows');

function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '');
}

/** Path and ETag per line, sorted by path: the same set gives the same id whatever the listing order. */
export function adoptionIdFor(objects: readonly UnknownObject[]): string {
  const lines = objects
    .map((o) => `${o.path}\u0000${normalizeEtag(o.etag)}\n`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return hash.digest('hex').slice(0, ADOPTION_ID_LENGTH);
}

export interface AdoptionDecision {
  /** The unknown objects, sorted by path. */
  unknown: UnknownObject[];
  /** Id of `unknown`, or null when there is nothing unknown. */
  adoptionId: string | null;
  /** True when the operator adopted exactly this set: it may be deleted. */
  adopted: boolean;
}

/**
 * Decides what happens to the unknown objects. `adopt` is the id the operator passed; a different id
 * (the set changed since the plan they saw, or there is nothing left to adopt) is REFUSED. With
 * `deletes` false (no `--delete` in the syncCommand) nothing is ever deleted, so `adopt` is bad input.
 */
export function decideAdoption(
  unknown: readonly UnknownObject[],
  options: { adopt?: string | undefined; deletes: boolean; destination: string },
): AdoptionDecision {
  const sorted = [...unknown].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const adoptionId = sorted.length === 0 ? null : adoptionIdFor(sorted);
  const { adopt } = options;
  if (adopt === undefined) return { unknown: sorted, adoptionId, adopted: false };
  if (!options.deletes) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `--adopt has nothing to do: the stack's syncCommand has no --delete, so the engine never deletes from ${options.destination}`,
      { hint: 'Drop --adopt; the objects no release knows are kept.' },
    );
  }
  if (adoptionId === adopt) return { unknown: sorted, adoptionId, adopted: true };
  throw new FrontendOpsError(
    'REFUSED',
    adoptionId === null
      ? `--adopt ${adopt}: ${options.destination} holds no objects that no release knows any more; nothing to adopt`
      : `--adopt ${adopt} does not match the objects no release knows in ${options.destination} now (${sorted.length} object(s), adoption id ${adoptionId}): the set changed since the plan you saw`,
    {
      hint: 'Nothing was changed. Run `frontendops deploy --dry-run` to see the current list and its adoption id.',
      data: { given: adopt, current: adoptionId, count: sorted.length },
    },
  );
}
