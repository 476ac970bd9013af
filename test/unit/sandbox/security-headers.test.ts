import { describe, expect, it } from 'vitest';
import * as edge from '../../../agent/src/sandbox/security-headers.js';
import * as stack from '../../../stacks/dashboard-hosting-prod/src/security-headers.js';

describe('sandbox edge security headers', () => {
  it('are the hosting stack response headers policy, value for value', () => {
    expect(edge.CONTENT_SECURITY_POLICY).toBe(stack.CONTENT_SECURITY_POLICY);
    expect(edge.HSTS_MAX_AGE_SECONDS).toBe(stack.HSTS_MAX_AGE_SECONDS);
    expect(edge.FRAME_OPTION).toBe(stack.FRAME_OPTION);
    expect(edge.REFERRER_POLICY).toBe(stack.REFERRER_POLICY);
  });

  it('are written as CloudFront writes them', () => {
    expect(edge.SECURITY_HEADERS).toEqual({
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'content-security-policy': stack.CONTENT_SECURITY_POLICY,
    });
  });
});
