import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Sandbox } from '../../../../agent/src/sandbox/index.js';
import { sandboxCloudFrontClient } from '../../../support/sandbox.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const BIN = join(ROOT, 'agent', 'bin', 'frontendops-pulumi-mcp.js');
export const WORKDIR = join(ROOT, 'stacks', 'dashboard-hosting-prod');
export const STACK = 'dashboard-hosting-prod';

export interface McpServerEntry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The `mcpServers.pulumi` entry the sandbox wrote into its config: what an MCP client would run. */
export async function sandboxPulumiEntry(sandbox: Sandbox): Promise<McpServerEntry> {
  const config = JSON.parse(await readFile(sandbox.info.configPath, 'utf8')) as {
    mcpServers: { pulumi: McpServerEntry };
  };
  return config.mcpServers.pulumi;
}

/** An SDK client on a real stdio child (`node agent/bin/frontendops-pulumi-mcp.js`); stderr collected. */
export async function stdioClient(
  entry: McpServerEntry,
  envOverrides: Record<string, string> = {},
): Promise<{ client: Client; stderr: () => string; close: () => Promise<void> }> {
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: { ...getDefaultEnvironment(), ...entry.env, ...envOverrides },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const client = new Client({ name: 'frontendops-pulumi-it', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

export function errorCode(result: CallToolResult): string | undefined {
  if (result.isError !== true) return undefined;
  const text = result.content.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
  return /^([A-Z_]+): /.exec(text)?.[1];
}

/** How many invalidations the sandbox distribution has: "nothing changed" is this number staying put. */
export async function invalidationCount(sandbox: Sandbox): Promise<number> {
  const client = sandboxCloudFrontClient(sandbox);
  try {
    const result = await client.send(
      new ListInvalidationsCommand({ DistributionId: sandbox.info.distributionId }),
    );
    return result.InvalidationList?.Quantity ?? 0;
  } finally {
    client.destroy();
  }
}
