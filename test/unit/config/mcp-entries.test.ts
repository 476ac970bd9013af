import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../agent/src/config/load.js';
import { entrySecretValues, resolveEntryHeaders } from '../../../agent/src/mcp/client/env.js';

/** The config's own `${env:NAME}` reference syntax. */
const env = (name: string) => `\${env:${name}}`;

const minimal = {
  stacks: [{ name: 'dashboard-hosting-prod', backend: { kind: 'state', url: 'file:///tmp/state' } }],
  github: { owner: 'sophia-ai', repo: 'sophia' },
};

function withServers(mcpServers: Record<string, unknown>) {
  return parseConfig({ ...minimal, mcpServers });
}

describe('mcpServers entries: a command (stdio) or a url (HTTP)', () => {
  it('keeps stdio entries as they were, and accepts Cursor’s url + headers and Claude Code’s type: http', () => {
    const config = withServers({
      local: { command: 'frontendops-github-mcp' },
      shared: {
        url: 'https://mcp.example.com/mcp',
        headers: { Authorization: `Bearer ${env('PULUMI_MCP_TOKEN')}` },
      },
      typed: { type: 'http', url: 'http://127.0.0.1:8765/mcp' },
    });
    expect(config.mcpServers.local).toEqual({ command: 'frontendops-github-mcp', args: [], env: {} });
    expect(config.mcpServers.shared).toEqual({
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: `Bearer ${env('PULUMI_MCP_TOKEN')}` },
    });
    expect(config.mcpServers.typed).toEqual({ type: 'http', url: 'http://127.0.0.1:8765/mcp', headers: {} });
  });

  it('refuses plain http to another machine: the token would travel unencrypted', () => {
    expect(() => withServers({ shared: { url: 'http://mcp.example.com/mcp' } })).toThrowError(/https/);
    expect(() => withServers({ shared: { url: 'http://[::1]:1/mcp' } })).not.toThrow();
    expect(() => withServers({ shared: { url: 'http://localhost:1/mcp' } })).not.toThrow();
  });

  it('refuses an entry that mixes both shapes, has neither, or carries a bad header', () => {
    expect(() => withServers({ x: { command: 'a', url: 'https://a.example/mcp' } })).toThrowError(
      /stdio entry .* or an HTTP entry/,
    );
    expect(() => withServers({ x: { args: ['a'] } })).toThrowError(/mcpServers\.x/);
    expect(() =>
      withServers({ x: { url: 'https://a.example/mcp', headers: { 'Bad Header': 'v' } } }),
    ).toThrow();
    expect(() =>
      withServers({ x: { url: 'https://a.example/mcp', headers: { 'X-A': 'v\r\nInjected: 1' } } }),
    ).toThrow();
  });
});

describe('header values from the environment', () => {
  it(`resolves ${env('NAME')} and refuses an unset variable by name`, () => {
    expect(resolveEntryHeaders({ Authorization: `Bearer ${env('TOKEN_A')}` }, { TOKEN_A: 'abc123' })).toEqual(
      {
        Authorization: 'Bearer abc123',
      },
    );
    expect(() => resolveEntryHeaders({ Authorization: `Bearer ${env('MISSING')}` }, {})).toThrowError(
      /mcpServers headers Authorization names \$\{env:MISSING\}, which is not set/,
    );
  });

  it('hands the redactor secret headers and environment-borne values, not ordinary headers', () => {
    const config = withServers({
      shared: {
        url: 'https://mcp.example.com/mcp',
        headers: {
          Authorization: `Bearer ${env('SHARED')}`,
          'X-Api-Key': 'literal-key-value',
          'X-Team': 'platform-team',
          'X-Trace': `${env('TRACE_ID')}`,
        },
      },
      local: { command: 'x', env: { GITHUB_TOKEN: 'ghs_local_value', LOG_LEVEL: 'debug' } },
    });
    const values = entrySecretValues(config.mcpServers, {
      SHARED: 'shared-secret-value',
      TRACE_ID: 'trace-42',
    });
    expect(values).toEqual(
      expect.arrayContaining([
        'shared-secret-value',
        'Bearer shared-secret-value',
        'literal-key-value',
        'trace-42',
        'ghs_local_value',
      ]),
    );
    expect(values).not.toContain('platform-team');
    expect(values).not.toContain('debug');
  });
});
