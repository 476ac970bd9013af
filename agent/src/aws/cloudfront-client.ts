import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { AwsSettings } from '../config/schema.js';
import { assertSandboxOnly, SANDBOX_CREDENTIALS } from './endpoints.js';

// Apart from clients.ts (S3): commands that only read S3 (`status`, `history`) never load the CloudFront SDK.

export function createCloudFrontClient(aws: AwsSettings): CloudFrontClient {
  assertSandboxOnly(aws);
  return new CloudFrontClient({
    // CloudFront is a global service whose API lives in us-east-1.
    region: 'us-east-1',
    ...(aws.cloudfrontEndpoint === undefined ? {} : { endpoint: aws.cloudfrontEndpoint }),
    ...(aws.sandboxCredentials ? { credentials: { ...SANDBOX_CREDENTIALS } } : {}),
  });
}
