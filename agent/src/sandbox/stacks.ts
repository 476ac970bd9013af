import { HOSTING_STACK } from '../stack/outputs.js';

/**
 * A sandbox hosts one stack by default and up to `MAX_SANDBOX_STACKS` for fleet tests: each stack has its
 * own hosting bucket, CloudFront distribution and edge (its own URL), and its own Pulumi stack in the
 * shared `file://` backend; all of them share one artifacts bucket, as a platform team's dashboards built
 * from one repository would (one build, published once, deployed to every stack). Release records, locks
 * and deploy jobs are per stack under their reserved prefixes of that bucket.
 */

export const MAX_SANDBOX_STACKS = 32;

/**
 * The stack names of a sandbox with `count` stacks: the default stack first, so a one-stack sandbox is
 * exactly the sandbox as it always was, then `dashboard-hosting-prod-2`, `-3`, …  Pure.
 */
export function sandboxStackNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SANDBOX_STACKS) {
    throw new RangeError(`a sandbox hosts 1 to ${MAX_SANDBOX_STACKS} stacks, not ${count}`);
  }
  return Array.from({ length: count }, (_, i) => (i === 0 ? HOSTING_STACK : `${HOSTING_STACK}-${i + 1}`));
}

/** One stack of the sandbox as `sandbox start --json` lists it. */
export interface SandboxStackInfo {
  name: string;
  hostingBucket: string;
  distributionId: string;
  /** The stack's `url` output: its own edge, as every CloudFront distribution has its own domain. */
  edgeUrl: string;
}
