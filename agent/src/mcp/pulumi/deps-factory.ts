import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontInvalidator } from '../../cdn/cloudfront-invalidator.js';
import {
  type AutomationDeps,
  createAutomationBackend,
  findPulumiCli,
  localWorkspaceFactory,
} from './backends/automation.js';
import { createCloudBackend } from './backends/cloud.js';
import { createStateBackend, fileStateLocation, parseS3StateUrl, s3StateLocation } from './backends/state.js';
import type { OutputsBackend } from './backends/types.js';
import type { PulumiServerConfig } from './config.js';
import type { PulumiToolDeps } from './deps.js';
import type { ToolLog } from './result.js';

/**
 * An S3 client made on its first request. The AWS SDK is most of this server's start-up cost, and the
 * sandbox's file:// state never needs it.
 */
function lazyS3Client(make: () => Promise<S3Client>): Pick<S3Client, 'send'> {
  let client: Promise<S3Client> | undefined;
  const send = async (...args: Parameters<S3Client['send']>) => {
    client ??= make();
    return (await client).send(...args);
  };
  return { send: send as S3Client['send'] };
}

/** The outputs backend the config names, with real clients (credentials from the standard AWS chain). */
export function createOutputsBackend(config: PulumiServerConfig, automation: AutomationDeps): OutputsBackend {
  const { backend, aws } = config;
  if (backend.kind === 'cloud') {
    return createCloudBackend({
      apiUrl: backend.apiUrl,
      token: backend.token,
      organization: backend.organization,
    });
  }
  if (backend.kind === 'automation') return createAutomationBackend(automation);
  if (backend.url.startsWith('file://')) return createStateBackend(fileStateLocation(backend.url));
  const location = parseS3StateUrl(backend.url);
  const endpoint = location.endpoint ?? aws.s3Endpoint;
  const s3 = lazyS3Client(async () => {
    const { S3Client } = await import('@aws-sdk/client-s3');
    return new S3Client({
      region: location.region ?? aws.region,
      ...(endpoint === undefined ? {} : { endpoint }),
      forcePathStyle: location.forcePathStyle ?? aws.forcePathStyle,
    });
  });
  return createStateBackend(s3StateLocation(location, s3));
}

/** Production deps for bin.ts. */
export function createPulumiToolDeps(
  config: PulumiServerConfig,
  env: NodeJS.ProcessEnv,
  log: ToolLog,
): PulumiToolDeps {
  const automation: AutomationDeps = { factory: localWorkspaceFactory, findCli: () => findPulumiCli(env) };
  // CloudFront is loaded by the first invalidate_cdn / get_invalidation, then shared by every call.
  let cloudfront: Promise<(distributionId: string) => CloudFrontInvalidator> | undefined;
  const loadCloudFront = async () => {
    const [{ createCloudFrontClient }, { createCloudFrontInvalidator }] = await Promise.all([
      import('../../aws/cloudfront-client.js'),
      import('../../cdn/cloudfront-invalidator.js'),
    ]);
    const client = createCloudFrontClient({
      region: config.aws.region,
      ...(config.aws.cloudfrontEndpoint === undefined
        ? {}
        : { cloudfrontEndpoint: config.aws.cloudfrontEndpoint }),
      forcePathStyle: config.aws.forcePathStyle,
      sandboxCredentials: false,
    });
    return (distributionId: string) =>
      createCloudFrontInvalidator({ client, distributionId, poll: config.poll });
  };
  return {
    outputs: createOutputsBackend(config, automation),
    automation,
    project: config.project,
    allowSecrets: config.allowSecrets,
    invalidatorFor: async (distributionId) => {
      cloudfront ??= loadCloudFront().catch((error: unknown) => {
        cloudfront = undefined; // a failed load is tried again by the next call
        throw error;
      });
      return (await cloudfront)(distributionId);
    },
    readText: (path) => readFile(path, 'utf8'),
    log,
  };
}
