/**
 * The response headers policy of the hosting stack's distribution, which CloudFront adds to every response
 * (overriding the origin's). Mirrors `stacks/dashboard-hosting-prod/src/security-headers.ts` (the agent
 * package cannot import the stack package); `test/unit/sandbox/security-headers.test.ts` keeps them equal,
 * so the dashboard served by the sandbox runs under the production CSP.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  'upgrade-insecure-requests',
].join('; ');

export const HSTS_MAX_AGE_SECONDS = 63_072_000;
export const FRAME_OPTION = 'DENY';
export const REFERRER_POLICY = 'strict-origin-when-cross-origin';

/** The headers as CloudFront writes them (HSTS with includeSubDomains, no preload). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
  'x-content-type-options': 'nosniff',
  'x-frame-options': FRAME_OPTION,
  'referrer-policy': REFERRER_POLICY,
  'content-security-policy': CONTENT_SECURITY_POLICY,
};
