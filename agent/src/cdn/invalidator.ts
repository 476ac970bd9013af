/**
 * What the deploy engine needs from a CDN: invalidate some paths and wait until that is done.
 * Implementations: the pulumi MCP server's `invalidate_cdn` tool (through the agent) and a direct
 * CloudFront client (tests, the sandbox). The caller never passes a distribution id: each
 * implementation knows its distribution from the stack.
 */
export interface InvalidationResult {
  invalidationId: string;
  status: 'InProgress' | 'Completed';
  /** The paths actually sent (after collapsing). */
  paths: string[];
}

export interface Invalidator {
  /** Creates an invalidation and, when `wait` is true, resolves only once it is `Completed`. */
  invalidate(
    paths: readonly string[],
    options: { wait: boolean; maxWaitSeconds: number },
  ): Promise<InvalidationResult>;
  /**
   * Resolves when the CDN API answers with these credentials (a deploy checks it before the first copy,
   * so an unreachable CDN is a refusal rather than a failure after going live); rejects otherwise.
   */
  probe?(): Promise<void>;
}

/** A well-formed invalidation id that no distribution has: reading it proves the API answers. */
export const PROBE_INVALIDATION_ID = 'FRONTENDOPSPROBE0';
