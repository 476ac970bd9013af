import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createServer, type GitHubServerDeps } from '../../../../agent/src/mcp/github/server.js';

/** A connected MCP client for the github server over an in-memory transport pair. */
export interface InMemoryConnection {
  client: Client;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function connectInMemory(deps: GitHubServerDeps): Promise<InMemoryConnection> {
  const { server, close } = createServer(deps);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'frontendops-test', version: '0.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  // Listing once lets the client validate structuredContent against each tool's output schema.
  await client.listTools();
  return {
    client,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await close();
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content
    .filter((block): block is { type: 'text'; text: string } => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}

/** The `{ code, message, hint }` JSON line of an `isError` result. */
export function toolError(result: CallToolResult): { code: string; message: string; hint?: string } {
  if (result.isError !== true) throw new Error(`expected isError, got ${textOf(result)}`);
  const [, json] = textOf(result).split('\n');
  return JSON.parse(json ?? '{}') as { code: string; message: string; hint?: string };
}
