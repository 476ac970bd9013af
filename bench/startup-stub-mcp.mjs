#!/usr/bin/env node
// A pulumi-like MCP server for bench/startup.mjs: on its first tools/call it appends the wall-clock time
// (ms) to $FRONTENDOPS_BENCH_MARK, then answers pulumi-cli-stack-output like FrontendOps' own server.
import { appendFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const mark = process.env.FRONTENDOPS_BENCH_MARK;
let marked = false;
const server = new McpServer({ name: 'bench-stub-pulumi', version: '0.0.0' });
server.registerTool(
  'pulumi-cli-stack-output',
  {
    inputSchema: { workDir: z.string(), stackName: z.string().optional(), outputName: z.string().optional() },
  },
  async (args) => {
    if (!marked && mark) {
      marked = true;
      appendFileSync(mark, `${Date.now()}\n`);
    }
    const outputs = {
      syncCommand: 'aws s3 sync s3://bench-artifacts/builds/{commit}/site/ s3://bench-hosting/ --delete',
      url: 'http://127.0.0.1:9',
    };
    return {
      structuredContent: { stackName: args.stackName ?? 'dev', outputs },
      content: [{ type: 'text', text: JSON.stringify(outputs) }],
    };
  },
);
await server.connect(new StdioServerTransport());
