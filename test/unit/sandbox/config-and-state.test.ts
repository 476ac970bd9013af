import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../agent/src/config/schema.js';
import { parseSyncCommand } from '../../../agent/src/deploy/sync-command.js';
import { sandboxConfig } from '../../../agent/src/sandbox/config.js';
import { MAX_SANDBOX_STACKS, sandboxStackNames } from '../../../agent/src/sandbox/stacks.js';
import { fileBackendUrl, sandboxStackOutputs } from '../../../agent/src/sandbox/state.js';
import { parseStackOutputs } from '../../../agent/src/stack/outputs.js';

const resources = {
  artifactsBucket: 'sophia-dashboard-build-artifacts-1a2b3c4',
  hostingBucket: 'sophia-dashboard-hosting-prod-5d6e7f8',
  distributionId: 'E2ABCDEF123456',
  edgeUrl: 'http://127.0.0.1:40001',
};

describe('sandboxStackOutputs', () => {
  it('gives every output of the hosting stack, valid for the stack outputs schema', () => {
    const outputs = parseStackOutputs(sandboxStackOutputs(resources), 'dashboard-hosting-prod');
    expect(outputs).toMatchObject({
      artifactsBucket: resources.artifactsBucket,
      hostingBucket: resources.hostingBucket,
      distributionId: resources.distributionId,
      url: resources.edgeUrl,
      invalidateCommand: 'aws cloudfront create-invalidation --distribution-id E2ABCDEF123456 --paths "/*"',
    });
    expect(outputs.buildRoleArn).toBe('arn:aws:iam::000000000000:role/sophia-dashboard-build');
    expect(outputs.deployerRoleArn).toBe('arn:aws:iam::000000000000:role/sophia-dashboard-deployer');
  });

  it('has a syncCommand the engine accepts, from the commit folder of the artifacts bucket to the hosting bucket', () => {
    const sync = parseSyncCommand(sandboxStackOutputs(resources).syncCommand);
    expect(sync).toEqual({
      source: { bucket: resources.artifactsBucket, prefix: 'builds/{commit}/site/' },
      destination: { bucket: resources.hostingBucket, prefix: '' },
      delete: true,
    });
  });
});

describe('sandboxConfig', () => {
  const config = sandboxConfig({
    dir: '/tmp/sbx',
    stackWorkDir: '/repo/stacks/dashboard-hosting-prod',
    binDir: '/opt/fo/lib/node_modules/@frontendops/agent/bin',
    s3Endpoint: 'http://127.0.0.1:40000',
    cloudfrontEndpoint: 'http://127.0.0.1:40002',
    pulumiBackendUrl: fileBackendUrl('/tmp/sbx/pulumi-state'),
    repoPath: '/tmp/sbx/repo',
    nodePath: '/usr/bin/node',
  });

  it('is valid for the config schema', () => {
    expect(ConfigSchema.safeParse(config).success).toBe(true);
  });

  it('points the stack and both MCP servers at the sandbox', () => {
    expect(config.stacks[0]).toEqual({
      name: 'dashboard-hosting-prod',
      workDir: '/repo/stacks/dashboard-hosting-prod',
      backend: { kind: 'state', url: 'file:///tmp/sbx/pulumi-state' },
      aws: {
        region: 'us-east-1',
        s3Endpoint: 'http://127.0.0.1:40000',
        cloudfrontEndpoint: 'http://127.0.0.1:40002',
        forcePathStyle: true,
        sandboxCredentials: true,
      },
    });
    expect(config.github).toEqual({ owner: 'sophia-ai', repo: 'sophia' });
    expect(config.auditLogPath).toBe('/tmp/sbx/audit.jsonl');
    expect(config.mcpServers?.pulumi).toEqual({
      command: '/usr/bin/node',
      args: ['/opt/fo/lib/node_modules/@frontendops/agent/bin/frontendops-pulumi-mcp.js'],
      env: {
        PULUMI_BACKEND_URL: 'file:///tmp/sbx/pulumi-state',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'sandbox',
        AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
        AWS_ENDPOINT_URL_CLOUDFRONT: 'http://127.0.0.1:40002',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:40000',
        AWS_S3_FORCE_PATH_STYLE: 'true',
      },
    });
    expect(config.mcpServers?.github).toEqual({
      command: '/usr/bin/node',
      args: ['/opt/fo/lib/node_modules/@frontendops/agent/bin/frontendops-github-mcp.js'],
      env: { FRONTENDOPS_GITHUB_BACKEND: 'git', FRONTENDOPS_GIT_REPO: '/tmp/sbx/repo' },
    });
  });
});

describe('a sandbox with several stacks', () => {
  it('names the default stack first, then numbered stacks of the same project', () => {
    expect(sandboxStackNames(1)).toEqual(['dashboard-hosting-prod']);
    expect(sandboxStackNames(3)).toEqual([
      'dashboard-hosting-prod',
      'dashboard-hosting-prod-2',
      'dashboard-hosting-prod-3',
    ]);
    expect(() => sandboxStackNames(0)).toThrow(RangeError);
    expect(() => sandboxStackNames(MAX_SANDBOX_STACKS + 1)).toThrow(RangeError);
  });

  it('lists every stack in the config, each on the shared backend and endpoints', () => {
    const config = sandboxConfig({
      dir: '/tmp/sbx',
      stackWorkDir: '/repo/stacks/dashboard-hosting-prod',
      binDir: '/opt/fo/lib/node_modules/@frontendops/agent/bin',
      s3Endpoint: 'http://127.0.0.1:40000',
      cloudfrontEndpoint: 'http://127.0.0.1:40002',
      pulumiBackendUrl: fileBackendUrl('/tmp/sbx/pulumi-state'),
      repoPath: '/tmp/sbx/repo',
      nodePath: '/usr/bin/node',
      stackNames: sandboxStackNames(3),
    });
    const parsed = ConfigSchema.parse(config);
    expect(parsed.stacks.map((s) => s.name)).toEqual(sandboxStackNames(3));
    for (const stack of parsed.stacks) {
      expect(stack.backend).toEqual({ kind: 'state', url: 'file:///tmp/sbx/pulumi-state' });
      expect(stack.aws.s3Endpoint).toBe('http://127.0.0.1:40000');
    }
  });
});
