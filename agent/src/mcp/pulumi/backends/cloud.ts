import { FrontendOpsError } from '../../../errors.js';
import type { StackRef } from '../stack-ref.js';
import { outputsFromDeployment } from './deployment.js';
import type { OutputsBackend, RawOutputs } from './types.js';

/**
 * The `cloud` backend: Pulumi Cloud's REST API, no CLI. `GET /api/stacks/{org}/{project}/{stack}/export`
 * returns the stack's deployment (secrets encrypted by the service, so they stay masked).
 * https://www.pulumi.com/docs/reference/cloud-rest-api/ — `Authorization: token …`, `Accept: application/vnd.pulumi+8`.
 * The token is only ever put in that header: never in a message, log line or error.
 */
export interface CloudBackendOptions {
  apiUrl: string;
  token: string;
  /** Default organization; else the token's user (`GET /api/user` → `githubLogin`), as the CLI does. */
  organization: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

export function createCloudBackend(options: CloudBackendOptions): OutputsBackend {
  const { apiUrl, token } = options;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;

  async function get(path: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${apiUrl}${path}`, {
        headers: {
          Authorization: `token ${token}`,
          Accept: 'application/vnd.pulumi+8',
          'Content-Type': 'application/json',
          'User-Agent': 'frontendops-pulumi-mcp',
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new FrontendOpsError(
        'PULUMI_BACKEND_ERROR',
        `Pulumi Cloud (${apiUrl}) unreachable while reading ${what}: ${(error as Error).name}`,
        {
          hint: 'Check the network and PULUMI_BACKEND_URL.',
        },
      );
    }
    if (response.status === 404) {
      throw new FrontendOpsError('STACK_NOT_FOUND', `Pulumi Cloud has no ${what}`, {
        hint: 'Check stackName (org/project/stack) and that the token can see the stack.',
      });
    }
    if (response.status === 401 || response.status === 403) {
      throw new FrontendOpsError(
        'PULUMI_BACKEND_ERROR',
        `Pulumi Cloud refused the access token (HTTP ${response.status}) reading ${what}`,
        {
          hint: 'PULUMI_ACCESS_TOKEN is missing, expired or lacks access to the stack: create a new token in Pulumi Cloud.',
          data: { status: response.status },
        },
      );
    }
    if (!response.ok) {
      throw new FrontendOpsError(
        'PULUMI_BACKEND_ERROR',
        `Pulumi Cloud answered HTTP ${response.status} reading ${what}`,
        {
          hint: 'Retry later; see https://www.pulumistatus.com.',
          data: { status: response.status },
        },
      );
    }
    try {
      return await response.json();
    } catch {
      throw new FrontendOpsError(
        'PULUMI_BACKEND_ERROR',
        `Pulumi Cloud sent a body that is not JSON for ${what}`,
      );
    }
  }

  async function defaultOrganization(): Promise<string> {
    if (options.organization !== undefined) return options.organization;
    const user = (await get('/api/user', 'current user')) as { githubLogin?: unknown };
    if (typeof user.githubLogin !== 'string' || user.githubLogin === '') {
      throw new FrontendOpsError('PULUMI_BACKEND_ERROR', 'Pulumi Cloud did not name the token’s user', {
        hint: 'Pass the stack as org/project/stack, or set FRONTENDOPS_PULUMI_ORG.',
      });
    }
    return user.githubLogin;
  }

  return {
    kind: 'cloud',
    async readOutputs(ref: StackRef): Promise<RawOutputs> {
      const organization = ref.organization ?? (await defaultOrganization());
      const path = [organization, ref.project, ref.stack].map(encodeURIComponent).join('/');
      const label = `${organization}/${ref.project}/${ref.stack}`;
      const body = (await get(`/api/stacks/${path}/export`, `stack ${label}`)) as {
        deployment?: Parameters<typeof outputsFromDeployment>[0];
      };
      return outputsFromDeployment(body.deployment, label);
    },
  };
}
