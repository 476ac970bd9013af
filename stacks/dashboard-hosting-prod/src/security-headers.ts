/**
 * Security headers CloudFront adds to every response (response headers policy). Exported so the
 * dashboard's end-to-end test and the sandbox edge can check the built site against the same CSP.
 *
 * The CSP fits a self-hosted Vite + React single-page app: every script and stylesheet comes from the
 * site itself (Vite emits no inline scripts; React's `style` prop goes through the CSSOM, which CSP does
 * not restrict), images may be `data:` URIs (inlined small assets), and the app only calls its own
 * origin (`/version.json`). Nothing may frame the dashboard.
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

/** Two years, the minimum the HSTS preload list accepts. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;
export const FRAME_OPTION = 'DENY';
export const REFERRER_POLICY = 'strict-origin-when-cross-origin';
