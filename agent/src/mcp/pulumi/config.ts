import { homedir } from 'node:os';
import { parseArgs } from 'node:util';
import { isLoopbackUrl } from '../../aws/endpoints.js';
import { CLOUDFRONT_POLL_DELAY, LOCAL_POLL_DELAY, type PollDelay } from '../../cdn/poll-delay.js';
import { FrontendOpsError } from '../../errors.js';
import { HOSTING_PROJECT } from '../../stack/outputs.js';

export const PULUMI_CLOUD_API = 'https://api.pulumi.com';

/** Where stack outputs are read from. */
export type BackendSettings =
  | { kind: 'state'; url: string }
  | { kind: 'cloud'; apiUrl: string; token: string; organization: string | undefined }
  | { kind: 'automation' };

export interface ServerAwsSettings {
  region: string;
  s3Endpoint: string | undefined;
  cloudfrontEndpoint: string | undefined;
  forcePathStyle: boolean;
}

export interface PulumiServerConfig {
  backend: BackendSettings;
  /** The hosting stack's project: used when a call names no project (invalidate_cdn, bare stack names). */
  project: string;
  /** Whether `showSecrets: true` may reveal secret outputs. Off unless the client's env turns it on. */
  allowSecrets: boolean;
  aws: ServerAwsSettings;
  poll: PollDelay;
}

const KINDS = ['automation', 'state', 'cloud'] as const;
const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function bad(message: string, hint: string): FrontendOpsError {
  return new FrontendOpsError('CONFIG_INVALID', message, { hint });
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

/** `file://~/x` is the Pulumi CLI's spelling of a home-relative self-managed backend. */
function expandHome(url: string): string {
  return url.startsWith('file://~') ? `file://${homedir()}${url.slice('file://~'.length)}` : url;
}

function resolveBackend(
  kindFlag: string | undefined,
  urlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
): BackendSettings {
  const forced = kindFlag ?? env.FRONTENDOPS_PULUMI_BACKEND;
  if (forced !== undefined && !(KINDS as readonly string[]).includes(forced)) {
    throw bad(
      `FRONTENDOPS_PULUMI_BACKEND / --backend is ${JSON.stringify(forced)}`,
      `Use one of: ${KINDS.join(', ')}.`,
    );
  }
  const url = urlFlag ?? env.PULUMI_BACKEND_URL;
  const token = env.PULUMI_ACCESS_TOKEN;
  const isState = url !== undefined && /^(file|s3):\/\//.test(url);
  const kind =
    forced ?? (isState ? 'state' : url !== undefined || token !== undefined ? 'cloud' : 'automation');

  if (kind === 'state') {
    if (!isState) {
      throw bad(
        'the state backend needs PULUMI_BACKEND_URL=file://… or s3://…',
        'Set PULUMI_BACKEND_URL to the self-managed backend the stack was deployed with.',
      );
    }
    return { kind, url: expandHome(url) };
  }
  if (kind === 'cloud') {
    const apiUrl = url === undefined || isState ? PULUMI_CLOUD_API : url;
    if (!/^https?:\/\//.test(apiUrl)) {
      throw bad(
        `PULUMI_BACKEND_URL ${JSON.stringify(apiUrl)} is not an http(s) URL`,
        'Use https://api.pulumi.com or your self-hosted API URL.',
      );
    }
    if (token === undefined || token.trim() === '') {
      throw bad(
        'the cloud backend needs PULUMI_ACCESS_TOKEN',
        'Create an access token in Pulumi Cloud and pass it in the server env.',
      );
    }
    return {
      kind,
      // `pulumi login https://app.pulumi.com` is a common spelling of the managed service; its API lives elsewhere.
      apiUrl: /^https:\/\/app\.pulumi\.com\/?$/.test(apiUrl) ? PULUMI_CLOUD_API : apiUrl.replace(/\/+$/, ''),
      token: token.trim(),
      organization: env.FRONTENDOPS_PULUMI_ORG ?? env.PULUMI_ORGANIZATION,
    };
  }
  return { kind: 'automation' };
}

/**
 * The server's settings from its flags and the environment the MCP client passes:
 * `PULUMI_BACKEND_URL` (file:// or s3:// → state; http(s) → cloud), `PULUMI_ACCESS_TOKEN` (cloud when
 * no URL), `FRONTENDOPS_PULUMI_BACKEND` (forces the kind), the standard AWS variables plus
 * `AWS_ENDPOINT_URL_CLOUDFRONT`, `AWS_ENDPOINT_URL_S3`, `AWS_S3_FORCE_PATH_STYLE`. Pure.
 */
export function resolvePulumiServerConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): PulumiServerConfig {
  let values: { backend?: string; 'backend-url'?: string; project?: string; 'allow-secrets'?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        backend: { type: 'string' },
        'backend-url': { type: 'string' },
        project: { type: 'string' },
        'allow-secrets': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw bad(
      `bad command line: ${(error as Error).message}`,
      'Flags: --backend automation|state|cloud, --backend-url URL, --project NAME, --allow-secrets.',
    );
  }

  const project = values.project ?? env.FRONTENDOPS_PULUMI_PROJECT ?? HOSTING_PROJECT;
  if (!PROJECT_NAME.test(project))
    throw bad(
      `project ${JSON.stringify(project)} is not a Pulumi project name`,
      'Fix FRONTENDOPS_PULUMI_PROJECT.',
    );

  const cloudfrontEndpoint = env.AWS_ENDPOINT_URL_CLOUDFRONT ?? env.AWS_ENDPOINT_URL;
  const s3Endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  for (const [name, value] of [
    ['AWS_ENDPOINT_URL_CLOUDFRONT', cloudfrontEndpoint],
    ['AWS_ENDPOINT_URL_S3', s3Endpoint],
  ] as const) {
    if (value !== undefined && !/^https?:\/\/[^\s]+$/.test(value))
      throw bad(`${name} is not an http(s) URL`, `Fix ${name}.`);
  }

  const pollOverride = env.FRONTENDOPS_INVALIDATION_POLL_SECONDS;
  let poll: PollDelay;
  if (pollOverride !== undefined) {
    const seconds = Number(pollOverride);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) {
      throw bad(
        'FRONTENDOPS_INVALIDATION_POLL_SECONDS must be a number of seconds in (0, 60]',
        'Unset it to use the default.',
      );
    }
    poll = { minSeconds: seconds, maxSeconds: Math.max(seconds, CLOUDFRONT_POLL_DELAY.maxSeconds) };
  } else {
    // A local CloudFront API (the sandbox) completes within a second: poll it fast.
    poll =
      cloudfrontEndpoint !== undefined && isLoopbackUrl(cloudfrontEndpoint)
        ? LOCAL_POLL_DELAY
        : CLOUDFRONT_POLL_DELAY;
  }

  return {
    backend: resolveBackend(values.backend, values['backend-url'], env),
    project,
    allowSecrets: values['allow-secrets'] === true || truthy(env.FRONTENDOPS_PULUMI_ALLOW_SECRETS),
    aws: {
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      s3Endpoint,
      cloudfrontEndpoint,
      forcePathStyle: truthy(env.AWS_S3_FORCE_PATH_STYLE),
    },
    poll,
  };
}

/** One line for the startup log: never the token. */
export function describeConfig(config: PulumiServerConfig): string {
  const backend =
    config.backend.kind === 'state'
      ? `state ${config.backend.url}`
      : config.backend.kind === 'cloud'
        ? `cloud ${config.backend.apiUrl}`
        : 'automation';
  return `backend ${backend}, project ${config.project}, secrets ${config.allowSecrets ? 'may be shown' : 'masked'}`;
}
