import { readFile } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { createCloudFrontClient } from '../../aws/clients.js';
import { createCloudFrontInvalidator } from '../../cdn/cloudfront-invalidator.js';
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
  const s3 = new S3Client({
    region: location.region ?? aws.region,
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: location.forcePathStyle ?? aws.forcePathStyle,
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
  const cloudfront = createCloudFrontClient({
    region: config.aws.region,
    ...(config.aws.cloudfrontEndpoint === undefined
      ? {}
      : { cloudfrontEndpoint: config.aws.cloudfrontEndpoint }),
    forcePathStyle: config.aws.forcePathStyle,
    sandboxCredentials: false,
  });
  return {
    outputs: createOutputsBackend(config, automation),
    automation,
    project: config.project,
    allowSecrets: config.allowSecrets,
    invalidatorFor: (distributionId) =>
      createCloudFrontInvalidator({ client: cloudfront, distributionId, poll: config.poll }),
    readText: (path) => readFile(path, 'utf8'),
    log,
  };
}
