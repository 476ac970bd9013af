import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createCloudFrontInvalidator } from '../../../../agent/src/cdn/cloudfront-invalidator.js';
import type {
  AutomationStack,
  WorkspaceRequest,
} from '../../../../agent/src/mcp/pulumi/backends/automation.js';
import { createStateBackend, type StateLocation } from '../../../../agent/src/mcp/pulumi/backends/state.js';
import type { PulumiToolDeps } from '../../../../agent/src/mcp/pulumi/deps.js';
import { createServer } from '../../../../agent/src/mcp/pulumi/server.js';
import { renderCheckpoint } from '../../../../agent/src/stack/checkpoint.js';

export const PROJECT = 'dashboard-hosting-prod';
export const STACK = 'dashboard-hosting-prod';
export const DISTRIBUTION = 'E2ABCDEF123456';
export const WORKDIR = '/repo/stacks/dashboard-hosting-prod';

export const HOSTING_OUTPUTS = {
  artifactsBucket: 'sophia-dashboard-build-artifacts-1a2b',
  hostingBucket: 'sophia-dashboard-hosting-prod-3c4d',
  distributionId: DISTRIBUTION,
  url: 'https://d111111abcdef8.cloudfront.net',
  syncCommand:
    'aws s3 sync s3://sophia-dashboard-build-artifacts-1a2b/builds/{commit}/site/ s3://sophia-dashboard-hosting-prod-3c4d/ --delete',
  invalidateCommand: `aws cloudfront create-invalidation --distribution-id ${DISTRIBUTION} --paths "/*"`,
  buildRoleArn: 'arn:aws:iam::123456789012:role/sophia-dashboard-build',
  deployerRoleArn: 'arn:aws:iam::123456789012:role/sophia-dashboard-deployer',
};

/** An in-memory self-managed backend: object key → text. */
export function memoryState(files: Record<string, string>): StateLocation {
  return {
    label: 'file:///state',
    read: async (key) => (key in files ? Buffer.from(files[key] ?? '', 'utf8') : undefined),
  };
}

export function stateFiles(
  stacks: Record<string, Record<string, unknown>>,
  project = PROJECT,
): Record<string, string> {
  const files: Record<string, string> = { '.pulumi/meta.yaml': 'version: 1\n' };
  for (const [stack, outputs] of Object.entries(stacks)) {
    files[`.pulumi/stacks/${project}/${stack}.json`] = renderCheckpoint(project, stack, outputs, new Date(0));
  }
  return files;
}

export interface FakeAutomation {
  requests: WorkspaceRequest[];
  cli: string | undefined;
  stack: AutomationStack | undefined;
}

export const cloudfrontClient = new CloudFrontClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

/** Deps for a server over fakes: a memory state backend, a fake Pulumi CLI, a (mockable) CloudFront client. */
export function fakeDeps(
  files: Record<string, string>,
  overrides: Partial<PulumiToolDeps> = {},
  automation: FakeAutomation = { requests: [], cli: undefined, stack: undefined },
  projectFiles: Record<string, string> = {
    [`${WORKDIR}/Pulumi.yaml`]: `name: ${PROJECT}\nruntime: nodejs\n`,
  },
): PulumiToolDeps & { logLines: string[] } {
  const logLines: string[] = [];
  return {
    outputs: createStateBackend(memoryState(files)),
    automation: {
      findCli: async () => automation.cli,
      factory: async (request) => {
        automation.requests.push(request);
        if (automation.stack === undefined)
          throw new Error(`error: no stack named '${request.stackName}' found`);
        return automation.stack;
      },
    },
    project: PROJECT,
    allowSecrets: false,
    invalidatorFor: (distributionId) =>
      createCloudFrontInvalidator({
        client: cloudfrontClient,
        distributionId,
        poll: { minSeconds: 0.01, maxSeconds: 0.02 },
        sleep: async () => {},
      }),
    readText: async (path) => {
      const text = projectFiles[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    log: (line) => logLines.push(line),
    logLines,
    ...overrides,
  };
}

/** A client connected to a fresh server over a linked in-memory transport pair. */
export async function connect(deps: PulumiToolDeps): Promise<{ client: Client; close: () => Promise<void> }> {
  const { server, close } = createServer(deps);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '0.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return {
    client,
    close: async () => {
      await client.close();
      await close();
    },
  };
}

export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}

/** The error code of an isError result (contract: text starts with `CODE: message`, then JSON). */
export function errorOf(result: CallToolResult): { code: string; message: string; hint?: string } {
  if (result.isError !== true) throw new Error(`expected isError, got ${textOf(result).slice(0, 300)}`);
  const lines = textOf(result).split('\n');
  const [first, json] = [lines[0], lines.at(-1)];
  const body = JSON.parse(json ?? '{}') as { code: string; message: string; hint?: string };
  if (!first?.startsWith(`${body.code}: `))
    throw new Error(`error text does not start with its code: ${first}`);
  return body;
}
