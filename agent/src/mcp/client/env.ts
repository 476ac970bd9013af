import type { McpServerEntry } from '../../config/schema.js';

/**
 * The only variables of the agent's own environment an MCP server inherits: what a process needs to
 * find binaries, a home folder (for ~/.aws, ~/.gitconfig) and a temp dir. The same idea as the MCP
 * SDK's default list (itself modelled on sudo's env_reset). Everything else — tokens, keys, the
 * model's API key — stays with the agent unless the config entry's `env` names it explicitly.
 */
export const INHERITED_ENV_VARS = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TERM',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'TZ',
] as const;

/** The complete environment for one server: the basics above, then the entry's own `env`. */
export function serverEnvironment(
  entry: Pick<McpServerEntry, 'env'>,
  agentEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV_VARS) {
    const value = agentEnv[name];
    // A value starting with `()` is an exported shell function: never pass those on.
    if (value !== undefined && !value.startsWith('()')) env[name] = value;
  }
  return { ...env, ...entry.env };
}
