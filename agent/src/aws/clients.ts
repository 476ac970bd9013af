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
  const client = new S3Client({
    region: aws.region,
    requestHandler: httpHandler(network),
    ...(aws.s3Endpoint === undefined ? {} : { endpoint: aws.s3Endpoint }),
    forcePathStyle: aws.forcePathStyle,
    ...(aws.sandboxCredentials ? { credentials: { ...SANDBOX_CREDENTIALS } } : {}),
    // Retries are the engine's job (jittered backoff it can observe and count), not hidden in the client.
    maxAttempts: 1,
  });
  withoutSdkRequestLog(client);
  return client;
}

/**
 * The SDK's request log: it builds a redacted copy of every request and response (a 1,000-object
 * listing included) for a logger that is never configured here, as the SDK's default logger ignores
 * it — CPU spent on each of a deploy's thousands of requests. Requests are reported by the engine's
 * own runner instead (deploy/requests.ts).
 */
function withoutSdkRequestLog(client: { middlewareStack: { remove(name: string): boolean } }): void {
  client.middlewareStack.remove('loggerMiddleware');
}
