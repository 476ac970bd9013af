import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { NetworkSettings } from '../config/schema.js';

/**
 * The HTTP handler of the S3 and CloudFront clients. Only the connect timeout lives here: a black-holed
 * address fails in seconds instead of the OS's minutes. Per-attempt timeouts and the deadline across
 * retries are the request runner's (deploy/requests.ts), because a big CopyObject may rightly take minutes.
 */
export function httpHandler(network: Pick<NetworkSettings, 'connectTimeoutSeconds'>): NodeHttpHandler {
  return new NodeHttpHandler({ connectionTimeout: Math.round(network.connectTimeoutSeconds * 1000) });
}
