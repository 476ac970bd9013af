import { z } from 'zod';
import { FrontendOpsError } from '../../errors.js';
import { formatZodIssues } from '../../validation.js';
import { isLoopbackHost, type ListenAddress, parseListenAddress } from './address.js';

/**
 * Everything `--http` serves with, from the flag and the environment. Pure: the bins and
 * `frontendops mcp` pass their own environment.
 *
 * A bearer token is required on every address, loopback included: any local process or web page
 * can reach 127.0.0.1, and these servers deploy, tag and invalidate. There is no switch to turn it off.
 */

/** The variable holding the bearer token every request must present. */
export const TOKEN_ENV = 'FRONTENDOPS_MCP_TOKEN';
/** Shorter tokens are refused: the token is the only thing between the network and a deploy. */
export const MIN_TOKEN_LENGTH = 32;

/** 4 MiB, the MCP SDK's own default: a 1 MB tag message or 3,000 invalidation paths fit easily. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_SESSIONS = 32;
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 15 * 60;

export interface HttpSettings extends ListenAddress {
  token: string;
  maxBodyBytes: number;
  maxSessions: number;
  idleTimeoutMs: number;
  /** Host names (besides the built-in ones) that requests may carry in their Host header. */
  allowedHosts: string[];
  /** Origins (besides this server's own) that browsers may send requests from. */
  allowedOrigins: string[];
}

const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

const EnvSchema = z.object({
  FRONTENDOPS_MCP_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(DEFAULT_MAX_BODY_BYTES),
  FRONTENDOPS_MCP_MAX_SESSIONS: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_MAX_SESSIONS),
  FRONTENDOPS_MCP_SESSION_IDLE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(DEFAULT_IDLE_TIMEOUT_SECONDS),
  FRONTENDOPS_MCP_ALLOWED_HOSTS: list.pipe(
    z.array(z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'expected host names separated by commas')),
  ),
  FRONTENDOPS_MCP_ALLOWED_ORIGINS: list.pipe(
    z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected origins like https://app.example.com')),
  ),
});

function tokenRefusal(message: string, address: ListenAddress): FrontendOpsError {
  const where = isLoopbackHost(address.host)
    ? 'even on loopback'
    : `on ${address.host}, a non-loopback address`;
  return new FrontendOpsError('CONFIG_INVALID', `${message}: --http requires a bearer token ${where}`, {
    hint: `export ${TOKEN_ENV}="$(openssl rand -hex 32)" in the server's environment, then start it again.`,
  });
}

export function resolveHttpSettings(
  listen: string,
  env: Readonly<Record<string, string | undefined>>,
): HttpSettings {
  const address = parseListenAddress(listen);
  const token = env[TOKEN_ENV];
  if (token === undefined || token === '') throw tokenRefusal(`${TOKEN_ENV} is not set`, address);
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw tokenRefusal(
      `${TOKEN_ENV} must be at least ${MIN_TOKEN_LENGTH} characters without spaces`,
      address,
    );
  }
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new FrontendOpsError('CONFIG_INVALID', `HTTP settings: ${formatZodIssues(parsed.error)}`, {
      hint: 'Fix or unset the FRONTENDOPS_MCP_* variable named above.',
    });
  }
  const limits = parsed.data;
  return {
    ...address,
    token,
    maxBodyBytes: limits.FRONTENDOPS_MCP_MAX_BODY_BYTES,
    maxSessions: limits.FRONTENDOPS_MCP_MAX_SESSIONS,
    idleTimeoutMs: limits.FRONTENDOPS_MCP_SESSION_IDLE_SECONDS * 1000,
    allowedHosts: limits.FRONTENDOPS_MCP_ALLOWED_HOSTS,
    allowedOrigins: limits.FRONTENDOPS_MCP_ALLOWED_ORIGINS,
  };
}

/**
 * Splits `--http VALUE` / `--http=VALUE` out of a bin's arguments, so each bin's own flag parser sees
 * only its own flags. Pure.
 */
export function takeHttpFlag(argv: readonly string[]): { http: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let http: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--http' || arg.startsWith('--http=')) {
      let value: string | undefined;
      if (arg === '--http') {
        value = argv[i + 1];
        i += 1;
      } else {
        value = arg.slice('--http='.length);
      }
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw new FrontendOpsError('BAD_INPUT', '--http needs [HOST:]PORT', {
          hint: 'For example --http 8765 (127.0.0.1) or --http 0.0.0.0:8765 (every interface).',
        });
      }
      if (http !== undefined) {
        throw new FrontendOpsError('BAD_INPUT', '--http given twice', { hint: 'Pass --http once.' });
      }
      http = value;
      continue;
    }
    rest.push(arg);
  }
  return { http, rest };
}
