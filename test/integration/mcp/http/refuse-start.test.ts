import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcessGroup } from '../../../support/process-group.js';
import { CLI, ROOT } from '../../agent/support.js';

/**
 * `--http` without a token is a bad invocation: each server refuses to start (exit 2, CONFIG_INVALID on
 * stderr) before it listens, on loopback as on any other address.
 */

const BINS = {
  pulumi: [join(ROOT, 'agent', 'bin', 'frontendops-pulumi-mcp.js')],
  github: [join(ROOT, 'agent', 'bin', 'frontendops-github-mcp.js')],
  agent: [CLI, 'mcp', '--config', join(ROOT, 'no-such.config.json')],
};

const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  PULUMI_BACKEND_URL: 'file:///nonexistent',
  FRONTENDOPS_GITHUB_BACKEND: 'git',
  FRONTENDOPS_GIT_REPO: ROOT,
};

describe('--http without FRONTENDOPS_MCP_TOKEN', () => {
  it.each(Object.entries(BINS))(
    '%s refuses to start, on loopback and on every interface',
    async (_name, args) => {
      for (const address of ['127.0.0.1:0', '0.0.0.0:0']) {
        const run = await runInProcessGroup(process.execPath, [...args, '--http', address], env, 60_000);
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toMatch(/CONFIG_INVALID.*FRONTENDOPS_MCP_TOKEN is not set/);
        expect(run.stderr).not.toMatch(/listening on/);
      }
      const short = await runInProcessGroup(
        process.execPath,
        [...args, '--http', '0'],
        { ...env, FRONTENDOPS_MCP_TOKEN: 'too-short' },
        60_000,
      );
      expect(short.code).toBe(2);
      expect(short.stderr).toMatch(/at least 32 characters/);
    },
  );
});
