import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { HttpMcpServerEntry } from '../../config/schema.js';
import { connectionFailure, SERVICES, unreachableError } from '../../errors/endpoint.js';
import { FrontendOpsError } from '../../errors.js';
import { displayUrl } from './display-url.js';
import { resolveEntryHeaders } from './env.js';

/**
 * The agent's side of an `mcpServers` entry with a `url`: the SDK's Streamable HTTP client transport
 * with the entry's headers (`${env:NAME}` resolved), and what its failures mean to a person.
 */

export function createHttpTransport(
  entry: HttpMcpServerEntry,
  agentEnv: Readonly<Record<string, string | undefined>>,
): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(entry.url), {
    requestInit: { headers: resolveEntryHeaders(entry.headers, agentEnv) },
  });
}

/** The HTTP status behind an SDK transport error, if any. */
export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof StreamableHTTPError && typeof error.code === 'number' && error.code > 0
    ? error.code
    : undefined;
}

/**
 * What an HTTP server's refusal means, or undefined when `error` is not one. 404 on a request of an
 * open session is not here: it means the session expired (see client.ts).
 */
export function httpFailure(
  name: string,
  entry: HttpMcpServerEntry,
  error: unknown,
  what: string,
): FrontendOpsError | undefined {
  const where = displayUrl(entry.url);
  const unreachable = connectionFailure(error);
  if (unreachable !== undefined) {
    const failure = unreachableError(
      {
        service: SERVICES.mcp,
        endpoint: where,
        action: `sending ${what} to mcpServers.${name}`,
        hint: `Start the server there (e.g. \`frontendops-pulumi-mcp --http PORT\`), or fix mcpServers.${name}.url.`,
      },
      unreachable,
      error,
    );
    return new FrontendOpsError(failure.code, failure.message, {
      ...(failure.hint === undefined ? {} : { hint: failure.hint }),
      data: { ...failure.data, server: name },
      cause: error,
    });
  }
  const status = httpStatusOf(error);
  if (status === undefined) return undefined;
  if (status === 401 || status === 403) {
    return new FrontendOpsError(
      'MCP_SERVER_ERROR',
      `MCP server ${name} at ${where} refused ${what} (HTTP ${status}: ${status === 401 ? 'wrong or missing token' : 'host or origin not allowed'})`,
      {
        hint:
          status === 401
            ? `Set mcpServers.${name}.headers.Authorization to "Bearer \${env:VAR}" with VAR holding the server's FRONTENDOPS_MCP_TOKEN.`
            : `Use the host name the server allows (FRONTENDOPS_MCP_ALLOWED_HOSTS on the server).`,
        data: { server: name, url: where, status },
      },
    );
  }
  return new FrontendOpsError(
    'MCP_SERVER_ERROR',
    `MCP server ${name} at ${where} answered ${what} with HTTP ${status}`,
    {
      hint:
        status === 404
          ? `Check mcpServers.${name}.url: the endpoint of FrontendOps servers is /mcp.`
          : 'Check the server’s log.',
      data: { server: name, url: where, status },
    },
  );
}
