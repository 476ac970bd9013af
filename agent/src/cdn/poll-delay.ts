// Kept apart from cloudfront-invalidator.ts so that reading these does not load the CloudFront SDK.

/** How often to poll GetInvalidation while waiting (seconds; the waiter adds jitter and backs off). */
export interface PollDelay {
  minSeconds: number;
  maxSeconds: number;
}

/**
 * Polling for real CloudFront. The SDK waiter's own default (20 s first delay) makes a deploy wait up
 * to 20 s longer than the invalidation takes; 5 s is still gentle on the GetInvalidation rate limit.
 */
export const CLOUDFRONT_POLL_DELAY: PollDelay = { minSeconds: 5, maxSeconds: 30 };
/** Polling for a local endpoint (the sandbox completes invalidations within a second). */
export const LOCAL_POLL_DELAY: PollDelay = { minSeconds: 0.1, maxSeconds: 1 };
