import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This agent instance's name in job records and audit lines: the host, the process and a random
 * suffix (a restarted process on the same host and pid is another instance).
 * `FRONTENDOPS_INSTANCE` names it explicitly (a replica's name in a deployment, say).
 */
export function instanceName(env: Readonly<Record<string, string | undefined>>): string {
  const given = env.FRONTENDOPS_INSTANCE?.replace(/[^A-Za-z0-9._@:-]/g, '').slice(0, 64);
  if (given) return given;
  return `${hostname().slice(0, 64)} pid ${process.pid} ${randomBytes(3).toString('hex')}`;
}
