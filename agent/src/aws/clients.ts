import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type AwsSettings, NETWORK_DEFAULTS, type NetworkSettings } from '../config/schema.js';
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

/**
 * The HTTP handler of both clients. Only the connect timeout lives here: a black-holed address fails
 * in seconds instead of the OS's minutes. Per-attempt timeouts and the deadline across retries are the
 * request runner's (deploy/requests.ts), because a big CopyObject may rightly take minutes.
 */
function httpHandler(network: Pick<NetworkSettings, 'connectTimeoutSeconds'>): NodeHttpHandler {
  return new NodeHttpHandler({ connectionTimeout: Math.round(network.connectTimeoutSeconds * 1000) });
}

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
