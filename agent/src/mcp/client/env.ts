import { isSecretName, secretValuesFromEnv } from '../../audit/redact.js';
import type { McpServerEntry, StdioMcpServerEntry } from '../../config/schema.js';
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
 * Resolves `${env:NAME}` references in an entry's values (`env` of a stdio entry, `headers` of an HTTP
 * one), so a config file can hand one secret to one server without containing it. A reference to an
 * unset variable is a config error, never an empty value.
 */
function resolveReferences(
  values: Readonly<Record<string, string>>,
  agentEnv: Readonly<Record<string, string | undefined>>,
  field: 'env' | 'headers',
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [key, raw] of Object.entries(values)) {
    resolved[key] = raw.replace(ENV_REFERENCE, (_match, name: string) => {
      const value = agentEnv[name];
      if (value === undefined) {
        throw new FrontendOpsError(
          'CONFIG_INVALID',
          `mcpServers ${field} ${key} names \${env:${name}}, which is not set`,
          {
            hint: `Export ${name} in the agent's environment, or remove it from the server's ${field}.`,
          },
        );
      }
      return value;
    });
  }
  return resolved;
}

export function resolveEntryEnv(
  entryEnv: Readonly<Record<string, string>>,
  agentEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return resolveReferences(entryEnv, agentEnv, 'env');
}

/** The headers an HTTP entry sends, with `${env:NAME}` resolved. Every value counts as a secret. */
export function resolveEntryHeaders(
  headers: Readonly<Record<string, string>>,
  agentEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return resolveReferences(headers, agentEnv, 'headers');
}

/**
 * The secret values the agent hands to its servers, for its redactor: secret-named `env` values of
 * stdio entries; of HTTP entries, the values of secret-named headers (Authorization, X-Api-Key…) and
 * every variable a header takes from the environment. Never throws: an unset reference is reported
 * when the server is first used.
 */
export function entrySecretValues(
  entries: Readonly<Record<string, McpServerEntry>>,
  agentEnv: Readonly<Record<string, string | undefined>>,
): string[] {
  const values: string[] = [];
  for (const entry of Object.values(entries)) {
    if ('command' in entry) {
      values.push(...secretValuesFromEnv(entry.env));
      continue;
    }
    for (const [name, raw] of Object.entries(entry.headers)) {
      const resolved = raw.replace(ENV_REFERENCE, (_match, variable: string) => {
        const value = agentEnv[variable] ?? '';
        values.push(value);
        return value;
      });
      if (!isSecretName(name)) continue;
      values.push(resolved);
      // `Bearer <token>`: the credential alone too, wherever it turns up without its scheme.
      const credential = /^\S+\s+(\S+)$/.exec(resolved)?.[1];
      if (credential !== undefined) values.push(credential);
    }
  }
  return values;
}
/** The complete environment for one server: the basics above, then the entry's own (resolved) `env`. */
export function serverEnvironment(
  entry: Pick<StdioMcpServerEntry, 'env'>,
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
