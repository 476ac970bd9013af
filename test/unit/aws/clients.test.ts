import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../agent/src/aws/clients.js';

describe('createS3Client', () => {
  it('leaves out the SDK request log, which would copy every request and listing for no logger', () => {
    const client = createS3Client({ region: 'us-east-1', forcePathStyle: true, sandboxCredentials: false });
    const steps = client.middlewareStack.identify();
    expect(steps.some((s) => s.startsWith('loggerMiddleware'))).toBe(false);
    // The rest of the stack is the SDK's own: signing and serialisation are still there.
    expect(steps.some((s) => /sign/i.test(s))).toBe(true);
  });
});
