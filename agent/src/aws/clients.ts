import { S3Client } from '@aws-sdk/client-s3';
import { type AwsSettings, NETWORK_DEFAULTS, type NetworkSettings } from '../config/schema.js';
import { assertSandboxOnly, isLoopbackUrl, SANDBOX_CREDENTIALS } from './endpoints.js';
import { httpHandler } from './http-handler.js';

export { isLoopbackUrl, SANDBOX_CREDENTIALS };

/** The S3 client for a stack; credentials come from the standard AWS chain unless sandboxed. */
export function createS3Client(
  aws: AwsSettings,
  network: Pick<NetworkSettings, 'connectTimeoutSeconds'> = NETWORK_DEFAULTS,
): S3Client {
  assertSandboxOnly(aws);
  return new S3Client({
    region: aws.region,
    requestHandler: httpHandler(network),
    ...(aws.s3Endpoint === undefined ? {} : { endpoint: aws.s3Endpoint }),
    forcePathStyle: aws.forcePathStyle,
    ...(aws.sandboxCredentials ? { credentials: { ...SANDBOX_CREDENTIALS } } : {}),
    // Retries are the engine's job (jittered backoff it can observe and count), not hidden in the client.
    maxAttempts: 1,
  });
}
