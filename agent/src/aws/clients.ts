import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsSettings } from '../config/schema.js';
import { FrontendOpsError } from '../errors.js';

/**
 * Throw-away credentials for the local sandbox. They are only ever sent to loopback endpoints:
 * `assertSandboxOnly` refuses them anywhere else, so a config typo can never sign real AWS calls.
 */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox-secret' } as const;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

function assertSandboxOnly(aws: AwsSettings): void {
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

/** The S3 client for a stack; credentials come from the standard AWS chain unless sandboxed. */
export function createS3Client(aws: AwsSettings): S3Client {
  assertSandboxOnly(aws);
  return new S3Client({
    region: aws.region,
    ...(aws.s3Endpoint === undefined ? {} : { endpoint: aws.s3Endpoint }),
    forcePathStyle: aws.forcePathStyle,
    ...(aws.sandboxCredentials ? { credentials: { ...SANDBOX_CREDENTIALS } } : {}),
    // Retries are the engine's job (jittered backoff it can observe and count), not hidden in the client.
    maxAttempts: 1,
  });
}

export function createCloudFrontClient(aws: AwsSettings): CloudFrontClient {
  assertSandboxOnly(aws);
  return new CloudFrontClient({
    // CloudFront is a global service whose API lives in us-east-1.
    region: 'us-east-1',
    ...(aws.cloudfrontEndpoint === undefined ? {} : { endpoint: aws.cloudfrontEndpoint }),
    ...(aws.sandboxCredentials ? { credentials: { ...SANDBOX_CREDENTIALS } } : {}),
  });
}
