import { isIP } from 'node:net';
import { FrontendOpsError } from '../../errors.js';

/** Where `--http [HOST:]PORT` listens. Pure parsing; nothing here opens a socket. */
export interface ListenAddress {
  /** An IPv4 literal, an IPv6 literal without brackets, or a host name. */
  host: string;
  /** 0 asks the system for a free port (tests use it; the bound port is printed). */
  port: number;
}

/** Without a host, the server is reachable from this machine only. */
export const DEFAULT_HTTP_HOST = '127.0.0.1';

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function refusal(value: string, reason: string): FrontendOpsError {
  return new FrontendOpsError('BAD_INPUT', `--http ${JSON.stringify(value.slice(0, 100))}: ${reason}`, {
    hint: 'Use --http PORT (127.0.0.1), --http HOST:PORT or --http [IPv6]:PORT, e.g. --http 127.0.0.1:8765.',
  });
}

function parsePort(value: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw refusal(value, 'the port must be a number from 0 to 65535');
  const port = Number(text);
  if (port > 65_535) throw refusal(value, 'the port must be a number from 0 to 65535');
  return port;
}

/** `8765`, `0.0.0.0:8765`, `mcp.internal:8765`, `[::1]:8765`. A bare IPv6 address needs brackets. */
export function parseListenAddress(value: string): ListenAddress {
  const text = value.trim();
  if (/^\d+$/.test(text)) return { host: DEFAULT_HTTP_HOST, port: parsePort(value, text) };
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    const [, host = '', port = ''] = bracketed;
    if (isIP(host) !== 6) throw refusal(value, `${host} is not an IPv6 address`);
    return { host, port: parsePort(value, port) };
  }
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw refusal(value, 'expected PORT or HOST:PORT');
  const host = text.slice(0, colon);
  const port = text.slice(colon + 1);
  if (host.includes(':')) throw refusal(value, 'write an IPv6 address in brackets: [::1]:PORT');
  if (isIP(host) !== 4 && !HOSTNAME.test(host)) throw refusal(value, `${host} is not a host name or address`);
  return { host, port: parsePort(value, port) };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** True for 0.0.0.0 and ::, which listen on every interface. */
export function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::';
}

/** The host as it appears in a URL or a Host header: IPv6 literals in brackets, lower case. */
export function urlHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}
