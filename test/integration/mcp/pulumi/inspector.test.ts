import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInProcessGroup } from '../../../support/process-group.js';
import { sandboxPerFile } from '../../../support/sandbox.js';
import {
  BIN,
  invalidationCount,
  type McpServerEntry,
  STACK,
  sandboxPulumiEntry,
  WORKDIR,
} from './helpers.js';

// The MCP Inspector CLI is a client no one here wrote: if it can list and call the tools, so can
// Claude Desktop or Cursor with the same entry. It warns about its engine on Node 20 and runs anyway.
const { sandbox } = sandboxPerFile();
let entry: McpServerEntry;

beforeAll(async () => {
  entry = await sandboxPulumiEntry(sandbox());
});

function inspector(args: readonly string[]) {
  return runInProcessGroup(
    'npx',
    ['@modelcontextprotocol/inspector', '--cli', process.execPath, BIN, ...args],
    { ...(process.env as Record<string, string>), ...entry.env },
    90_000,
  );
}

async function callTool(tool: string, toolArgs: string[]) {
  const result = await inspector(['--method', 'tools/call', '--tool-name', tool, '--tool-arg', ...toolArgs]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as {
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
    content: Array<{ type: string; text?: string }>;
  };
}

/** PIDs of pulumi MCP servers serving this sandbox's state that are still alive. */
async function leftoverServers(backendUrl: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!(await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('frontendops-pulumi-mcp')) continue;
      const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\u0000');
      if (environ.includes(`PULUMI_BACKEND_URL=${backendUrl}`)) found.push(Number(pid));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

describe('MCP Inspector CLI against frontendops-pulumi-mcp on the sandbox', () => {
  it('lists the tools with their annotations', async () => {
    const result = await inspector(['--method', 'tools/list']);
    expect(result.code, result.stderr).toBe(0);
    const { tools } = JSON.parse(result.stdout) as { tools: Array<{ name: string; annotations?: unknown }> };
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'get_invalidation',
        'invalidate_cdn',
        'pulumi-cli-preview',
        'pulumi-cli-stack-output',
        'pulumi-cli-up',
        'pulumi-cli-refresh',
      ].sort(),
    );
    expect(tools.find((t) => t.name === 'invalidate_cdn')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
  });

  it('calls pulumi-cli-stack-output', async () => {
    const result = await callTool('pulumi-cli-stack-output', [
      `workDir=${WORKDIR}`,
      `stackName=${STACK}`,
      'outputName=distributionId',
    ]);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      stackName: STACK,
      outputName: 'distributionId',
      value: sandbox().info.distributionId,
    });
    expect(result.content[0]?.text).toBe(
      `\nStack: ${STACK}\n\ndistributionId: "${sandbox().info.distributionId}"\n`,
    );
  });

  it('calls invalidate_cdn and waits for Completed', async () => {
    const before = await invalidationCount(sandbox());
    const result = await callTool('invalidate_cdn', [
      `stackName=${STACK}`,
      'paths=["/index.html","/"]',
      'wait=true',
      'maxWaitSeconds=30',
    ]);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'Completed', paths: ['/index.html', '/'] });
    expect(await invalidationCount(sandbox())).toBe(before + 1);
  });

  it('gets isError with a code, and nothing changes, for paths ["*"]', async () => {
    const before = await invalidationCount(sandbox());
    const result = await callTool('invalidate_cdn', [`stackName=${STACK}`, 'paths=["*"]']);
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^INVALIDATION_REJECTED: /);
    expect(await invalidationCount(sandbox())).toBe(before);
  });

  it('leaves no server process behind', async () => {
    expect(await leftoverServers(sandbox().info.pulumiBackendUrl)).toEqual([]);
  });
});
