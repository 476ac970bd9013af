import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';

/** Where an SDK client sends its requests, for messages that must name the endpoint. Type imports only: cheap to load. */
interface ClientEndpointConfig {
  config: {
    isCustomEndpoint?: boolean;
    endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
    region: () => Promise<string>;
  };
}

/**
 * The endpoint an SDK client sends to, read from its resolved config: the override when one is set
 * (the sandbox, an S3-compatible store), else the public AWS endpoint `fallback` names for the region.
 */
export function clientEndpoint(
  client: ClientEndpointConfig,
  fallback: (region: string) => string,
): () => Promise<string> {
  return async () => {
    const custom = client.config.isCustomEndpoint ? await client.config.endpoint?.() : undefined;
    if (custom !== undefined) {
      const port = custom.port === undefined ? '' : `:${custom.port}`;
      return `${custom.protocol}//${custom.hostname}${port}${custom.path === '/' ? '' : custom.path}`;
    }
    return fallback(await client.config.region());
  };
}

export function s3ClientEndpoint(s3: S3Client): () => Promise<string> {
  return clientEndpoint(s3, (region) => `https://s3.${region}.amazonaws.com`);
}

export function cloudFrontClientEndpoint(client: CloudFrontClient): () => Promise<string> {
  return clientEndpoint(client, () => 'https://cloudfront.amazonaws.com');
}
