import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS } from '../aws/endpoints.js';
import { type ConfigInput, ConfigSchema } from '../config/schema.js';
import { HOSTING_STACK } from '../stack/outputs.js';
import { parseWith } from '../validation.js';

export interface SandboxConfigInput {
  dir: string;
  /** The hosting stack's Pulumi project folder (absolute). */
  stackWorkDir: string;
  /** The agent package's `bin/`, holding the MCP servers' entry points. */
  binDir: string;
  s3Endpoint: string;
  cloudfrontEndpoint: string;
  pulumiBackendUrl: string;
  repoPath: string;
  /** The Node that runs the MCP servers (the current one). */
  nodePath: string;
  /** The Pulumi stacks the sandbox hosts (default: the one stack `dashboard-hosting-prod`). */
  stackNames?: readonly string[];
}

/** The `frontendops.config.json` a sandbox writes: every command can use it with --config. Pure. */
export function sandboxConfig(input: SandboxConfigInput): ConfigInput {
  return {
    stacks: (input.stackNames ?? [HOSTING_STACK]).map((name) => ({
      name,
      workDir: input.stackWorkDir,
      backend: { kind: 'state' as const, url: input.pulumiBackendUrl },
      aws: {
        region: 'us-east-1',
        s3Endpoint: input.s3Endpoint,
        cloudfrontEndpoint: input.cloudfrontEndpoint,
        forcePathStyle: true,
        sandboxCredentials: true,
      },
    })),
    github: { owner: 'sophia-ai', repo: 'sophia' },
    auditLogPath: join(input.dir, 'audit.jsonl'),
    mcpServers: {
      pulumi: {
        command: input.nodePath,
        args: [join(input.binDir, 'frontendops-pulumi-mcp.js')],
        env: {
          PULUMI_BACKEND_URL: input.pulumiBackendUrl,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_CLOUDFRONT: input.cloudfrontEndpoint,
          AWS_ENDPOINT_URL_S3: input.s3Endpoint,
          AWS_S3_FORCE_PATH_STYLE: 'true',
        },
      },
      github: {
        command: input.nodePath,
        args: [join(input.binDir, 'frontendops-github-mcp.js')],
        env: { FRONTENDOPS_GIT_REPO: input.repoPath, FRONTENDOPS_GITHUB_BACKEND: 'git' },
      },
    },
  };
}

/**
 * Validates the config against the real schema before writing it: the sandbox never writes a config that
 * fails to load. Written to a temp file and renamed into place, because a running `chat` or `schedule`
 * re-reads it before every request and must never see half of it.
 */
export async function writeSandboxConfig(configPath: string, config: ConfigInput): Promise<void> {
  parseWith(ConfigSchema, config, 'SANDBOX_FAILED', 'sandbox config');
  const temp = `${configPath}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`);
  await rename(temp, configPath);
}
