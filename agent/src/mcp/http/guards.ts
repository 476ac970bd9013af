import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost, isWildcardHost, urlHost } from './address.js';

/**
 * The checks every HTTP request passes before it reaches MCP: Host (DNS rebinding), Origin (browser
 * pages), bearer token. Pure functions of the request's headers and the server's settings.
 */

/** SHA-256 of the token: comparing fixed-length digests keeps the comparison constant-time. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** True when `Authorization: Bearer <token>` carries the expected token (compared in constant time). */
export function bearerMatches(authorization: string | undefined, expected: Buffer): boolean {
  if (authorization === undefined) return false;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) return false;
  return timingSafeEqual(tokenDigest(match[1]), expected);
}

/**
 * Host names a request may name in its Host header. A DNS-rebinding page reaches this server under
 * the attacker's own name, so only names that really mean this machine pass: the bound host, the
 * loopback names when listening on loopback or everywhere, this machine's name and addresses when
 * listening everywhere, and the operator's extra list (a load balancer's name, say).
 */
export function allowedHostnames(options: {
  host: string;
  extra: readonly string[];
  machineNames: readonly string[];
}): Set<string> {
  const names = new Set<string>(options.extra.map(urlHost));
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (isLoopbackHost(options.host)) for (const name of loopback) names.add(name);
  if (isWildcardHost(options.host)) {
    for (const name of [...loopback, ...options.machineNames]) names.add(urlHost(name));
  } else {
    names.add(urlHost(options.host));
  }
  return names;
}

/** The host name of a Host header (`example.com:8080`, `[::1]:8080`), lower case; undefined if malformed. */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined || hostHeader === '') return undefined;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(hostHeader.trim());
  return match?.[1] === undefined ? undefined : urlHost(match[1]);
}

export function hostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostnameOf(hostHeader);
  return name !== undefined && allowed.has(name);
}

/** This server's own origins: every allowed host name on the bound port, over http. */
export function ownOrigins(hostnames: Iterable<string>, port: number): Set<string> {
  return new Set([...hostnames].map((name) => `http://${name}:${port}`));
}

/**
 * Requests without an Origin come from programs (MCP clients, curl), not pages, and pass. A browser
 * always sends one on cross-origin requests: it must be this server's own or one the operator listed.
 */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  return allowed.has(origin.toLowerCase().replace(/\/+$/, ''));
}
