import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { type AwsSettings, NETWORK_DEFAULTS, type NetworkSettings } from '../config/schema.js';
import { assertSandboxOnly, SANDBOX_CREDENTIALS } from './endpoints.js';
import { httpHandler } from './http-handler.js';

// Apart from clients.ts (S3): commands that only read S3 (`status`, `history`) never load the CloudFront SDK.

export function createCloudFrontClient(
  aws: AwsSettings,
  network: Pick<NetworkSettings, 'connectTimeoutSeconds'> = NETWORK_DEFAULTS,
): CloudFrontClient {
  assertSandboxOnly(aws);
  return new CloudFrontClient({
    // CloudFront is a global service whose API lives in us-east-1.
    region: 'us-east-1',
    requestHandler: httpHandler(network),
    // As for S3: the invalidator retries (deadline for a dead endpoint included), not the client.
    maxAttempts: 1,
    ...(aws.cloudfrontEndpoint === undefined ? {} : { endpoint: aws.cloudfrontEndpoint }),
    ...(aws.sandboxCredentials ? { credentials: { ...SANDBOX_CREDENTIALS } } : {}),
  });
}
