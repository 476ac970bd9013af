#!/usr/bin/env node
// An MCP server that fails in one chosen way, for the agent's error-handling tests:
//   node misbehaving-mcp.mjs <mode>
//   exit-early     exits before the handshake
//   hang-init      reads stdin and never answers, not even `initialize`
//   crash          handshakes, then exits in the middle of any tools/call
//   hang-call      handshakes, then never answers a tools/call
//   garbage        handshakes, then writes non-JSON to stdout instead of a tools/call result
//   bad-result     handshakes, then answers tools/call with a result that breaks the MCP schema
//   echo-env       handshakes; tool `env` returns the environment it was started with
// Tools offered: `list_commits`, `pulumi-cli-stack-output`, `env` (all take anything).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const mode = process.argv[2] ?? 'crash';

if (mode === 'exit-early') {
  console.error('misbehaving-mcp: refusing to start');
  process.exit(3);
}
if (mode === 'hang-init') {
  process.stdin.resume();
  setInterval(() => {}, 1 << 30);
} else if (mode === 'bad-result') {
  // Speaks JSON-RPC by hand (the SDK server would refuse to send a malformed result): a correct
  // handshake and tool list, then a tools/call result whose `content` is not an array.
  const { createInterface } = await import('node:readline');
  const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const request = JSON.parse(line);
    if (request.id === undefined) continue;
    if (request.method === 'initialize') {
      send({
        id: request.id,
        result: {
          protocolVersion: request.params.protocolVersion,
          capabilities: { tools: {} },
          serverInfo: { name: 'misbehaving-bad-result', version: '0.0.0' },
        },
      });
    } else if (request.method === 'tools/list') {
      send({
        id: request.id,
        result: { tools: [{ name: 'list_commits', inputSchema: { type: 'object' } }] },
      });
    } else {
      send({ id: request.id, result: { content: 'definitely not an array' } });
    }
  }
} else {
  const server = new McpServer({ name: `misbehaving-${mode}`, version: '0.0.0' });
  const handler = async () => {
    switch (mode) {
      case 'crash':
        console.error('misbehaving-mcp: about to crash');
        process.exit(7);
        break;
      case 'hang-call':
        return new Promise(() => {});
      case 'garbage':
        process.stdout.write('this is not JSON-RPC\n');
        return new Promise(() => {});
      case 'echo-env':
        return { content: [{ type: 'text', text: JSON.stringify(process.env) }] };
      default:
        return { content: [{ type: 'text', text: 'ok' }] };
    }
  };
  for (const name of ['list_commits', 'pulumi-cli-stack-output', 'env']) {
    server.registerTool(
      name,
      { description: name, inputSchema: { anything: z.string().optional() } },
      handler,
    );
  }
  await server.connect(new StdioServerTransport());
}
