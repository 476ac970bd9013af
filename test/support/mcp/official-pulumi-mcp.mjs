#!/usr/bin/env node
// A scripted stand-in for the official `@pulumi/mcp-server` (pulumi/mcp-server, src/pulumi/cli.ts and
// src/server/server.ts): the same tool names and inputs, registered with the old `server.tool()` API
// (no output schema, so no structuredContent), text-only answers in exactly its format, and errors
// returned as plain text "Operation failed: …" without `isError`.
// Instead of the Automation API it reads the stack outputs from a self-managed backend's checkpoint
// (`PULUMI_BACKEND_URL=file://…`), which is where `pulumi stack output` would read them from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const project = process.env.FRONTENDOPS_PULUMI_PROJECT ?? 'dashboard-hosting-prod';

function readOutputs(stackName) {
  const backend = process.env.PULUMI_BACKEND_URL ?? '';
  if (!backend.startsWith('file://')) throw new Error('PULUMI_BACKEND_URL must be a file:// backend');
  const file = join(fileURLToPath(backend), '.pulumi', 'stacks', project, `${stackName}.json`);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`no stack named '${stackName}' found`);
  }
  const resources = JSON.parse(text).checkpoint?.latest?.resources ?? [];
  const outputs = resources.find((r) => r.type === 'pulumi:pulumi:Stack')?.outputs ?? {};
  // The Automation API's stack.outputs() shape: { name: { value, secret } }.
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, secret: false }]));
}

const server = new McpServer({ name: '@pulumi/mcp-server', version: '0.1.0' });

function handleError(error, toolName) {
  console.error(`Error in tool ${toolName}:`, error);
  const errorMessage = error instanceof Error ? error.message : 'Unknown error';
  return {
    description: `Error executing ${toolName}`,
    content: [{ type: 'text', text: `Operation failed: ${errorMessage}` }],
  };
}

server.tool(
  'pulumi-cli-stack-output',
  'Get the output value(s) of a given stack',
  {
    workDir: z.string().describe('The working directory of the program.'),
    stackName: z.string().optional().describe("The associated stack name. Defaults to 'dev'."),
    outputName: z.string().optional().describe('The specific stack output name to retrieve.'),
  },
  async (args) => {
    try {
      const stackName = args.stackName ?? 'dev';
      const outputs = readOutputs(stackName);
      let description;
      let outputContent;
      if (args.outputName) {
        const specificOutput = outputs[args.outputName];
        description = `Pulumi Stack Output: ${args.outputName}`;
        outputContent = specificOutput
          ? `${args.outputName}: ${JSON.stringify(specificOutput.value)}`
          : `Output '${args.outputName}' not found.`;
      } else {
        description = 'Pulumi Stack Outputs';
        outputContent = Object.entries(outputs)
          .map(([key, value]) => `${key}: ${JSON.stringify(value.value)}`)
          .join('\\n');
        if (!outputContent) outputContent = 'No outputs found';
      }
      return {
        description,
        content: [{ type: 'text', text: `\nStack: ${stackName}\n\n${outputContent}\n` }],
      };
    } catch (error) {
      return handleError(error, 'pulumi-cli-stack-output');
    }
  },
);

for (const command of ['preview', 'up', 'refresh']) {
  server.tool(
    `pulumi-cli-${command}`,
    `Run pulumi ${command} for a given project and stack`,
    {
      workDir: z.string().describe('The working directory of the program.'),
      stackName: z.string().optional().describe("The associated stack name. Defaults to 'dev'."),
    },
    async () => handleError(new Error('pulumi: command not found'), `pulumi-cli-${command}`),
  );
}

await server.connect(new StdioServerTransport());
