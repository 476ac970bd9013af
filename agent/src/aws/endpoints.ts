import type { AwsSettings } from '../config/schema.js';
import { FrontendOpsError } from '../errors.js';

// The rules every AWS client of the agent follows, kept apart from the clients themselves so that checking
// them loads no AWS SDK: each client module loads only its own service's SDK, and only when it is used.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Throw-away credentials for the local sandbox. They are only ever sent to loopback endpoints:
 * `assertSandboxOnly` refuses them anywhere else, so a config typo can never sign real AWS calls.
 */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox-secret' } as const;

export function assertSandboxOnly(aws: AwsSettings): void {
  if (!aws.sandboxCredentials) return;
  const endpoints = [aws.s3Endpoint, aws.cloudfrontEndpoint].filter((e): e is string => e !== undefined);
  if (endpoints.length === 0 || !endpoints.every(isLoopbackUrl)) {
    throw new FrontendOpsError(
      'CONFIG_INVALID',
      'aws.sandboxCredentials is only allowed with loopback endpoints',
      {
        hint: 'Remove aws.sandboxCredentials for real AWS; credentials come from the standard AWS chain.',
      },
    );
  }
}
