import type { McpServerEntry } from '../../config/schema.js';
import { FrontendOpsError } from '../../errors.js';

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

/** `${env:NAME}` (Cursor's syntax): a value taken from the agent's environment when the server starts. */
const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Resolves `${env:NAME}` references in an entry's values, so a config file can hand one secret to one
 * server without containing it. A reference to an unset variable is a config error, never an empty value.
 */
export function resolveEntryEnv(
  entryEnv: Readonly<Record<string, string>>,
  agentEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [key, raw] of Object.entries(entryEnv)) {
    resolved[key] = raw.replace(ENV_REFERENCE, (_match, name: string) => {
      const value = agentEnv[name];
      if (value === undefined) {
        throw new FrontendOpsError(
          'CONFIG_INVALID',
          `mcpServers env ${key} names \${env:${name}}, which is not set`,
          {
            hint: `Export ${name} in the agent's environment, or remove it from the server's env.`,
          },
        );
      }
      return value;
    });
  }
  return resolved;
}

/** The complete environment for one server: the basics above, then the entry's own (resolved) `env`. */
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
  return { ...env, ...resolveEntryEnv(entry.env, agentEnv) };
}
