import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseListenAddress } from '../../../../agent/src/mcp/http/address.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  MIN_TOKEN_LENGTH,
  resolveHttpSettings,
  TOKEN_ENV,
  takeHttpFlag,
} from '../../../../agent/src/mcp/http/settings.js';

const TOKEN = 'k'.repeat(MIN_TOKEN_LENGTH);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('--http [HOST:]PORT', () => {
  it('binds 127.0.0.1 when only a port is given, and takes hosts, IPv6 in brackets and port 0', () => {
    expect(parseListenAddress('8765')).toEqual({ host: '127.0.0.1', port: 8765 });
    expect(parseListenAddress('0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('0.0.0.0:9000')).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(parseListenAddress('mcp.internal:443')).toEqual({ host: 'mcp.internal', port: 443 });
    expect(parseListenAddress('[::1]:8765')).toEqual({ host: '::1', port: 8765 });
  });

  it('refuses malformed addresses with BAD_INPUT', () => {
    for (const value of [
      '',
      'abc',
      '65536',
      'host:',
      ':80',
      '::1:80',
      '[nothost]:80',
      'a b:80',
      'h:-1',
      'h:80x',
    ]) {
      expect(
        codeOf(() => parseListenAddress(value)),
        value,
      ).toBe('BAD_INPUT');
    }
  });

  it('knows which addresses only this machine reaches', () => {
    expect(['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'mcp.internal', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });

  it('splits --http out of a bin’s own flags', () => {
    expect(takeHttpFlag(['--backend', 'git', '--http', '0'])).toEqual({
      http: '0',
      rest: ['--backend', 'git'],
    });
    expect(takeHttpFlag(['--http=127.0.0.1:1', '--x'])).toEqual({ http: '127.0.0.1:1', rest: ['--x'] });
    expect(takeHttpFlag(['--repo', '.'])).toEqual({ http: undefined, rest: ['--repo', '.'] });
    expect(codeOf(() => takeHttpFlag(['--http']))).toBe('BAD_INPUT');
    expect(codeOf(() => takeHttpFlag(['--http', '--backend']))).toBe('BAD_INPUT');
    expect(codeOf(() => takeHttpFlag(['--http', '1', '--http', '2']))).toBe('BAD_INPUT');
  });
});

describe('HTTP settings', () => {
  it('requires a token on loopback too, and says so', () => {
    expect(() => resolveHttpSettings('8765', {})).toThrowError(
      /FRONTENDOPS_MCP_TOKEN is not set.*even on loopback/,
    );
    expect(codeOf(() => resolveHttpSettings('8765', {}))).toBe('CONFIG_INVALID');
  });

  it('refuses to listen on a non-loopback address without a token', () => {
    expect(() => resolveHttpSettings('0.0.0.0:8765', {})).toThrowError(
      /on 0\.0\.0\.0, a non-loopback address/,
    );
  });

  it('refuses a short token or one with spaces', () => {
    expect(() => resolveHttpSettings('1', { [TOKEN_ENV]: 'short' })).toThrowError(/at least 32 characters/);
    expect(codeOf(() => resolveHttpSettings('1', { [TOKEN_ENV]: `${TOKEN} x` }))).toBe('CONFIG_INVALID');
  });

  it('has safe defaults and reads the limits from the environment', () => {
    const defaults = resolveHttpSettings('8765', { [TOKEN_ENV]: TOKEN });
    expect(defaults).toMatchObject({
      host: '127.0.0.1',
      port: 8765,
      token: TOKEN,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      maxSessions: 32,
      idleTimeoutMs: 900_000,
      allowedHosts: [],
      allowedOrigins: [],
    });
    const tuned = resolveHttpSettings('0.0.0.0:0', {
      [TOKEN_ENV]: TOKEN,
      FRONTENDOPS_MCP_MAX_BODY_BYTES: '65536',
      FRONTENDOPS_MCP_MAX_SESSIONS: '3',
      FRONTENDOPS_MCP_SESSION_IDLE_SECONDS: '60',
      FRONTENDOPS_MCP_ALLOWED_HOSTS: 'mcp.internal, lb.example.com',
      FRONTENDOPS_MCP_ALLOWED_ORIGINS: 'https://console.example.com',
    });
    expect(tuned).toMatchObject({
      maxBodyBytes: 65_536,
      maxSessions: 3,
      idleTimeoutMs: 60_000,
      allowedHosts: ['mcp.internal', 'lb.example.com'],
      allowedOrigins: ['https://console.example.com'],
    });
  });

  it('names the variable that is wrong', () => {
    expect(() =>
      resolveHttpSettings('1', { [TOKEN_ENV]: TOKEN, FRONTENDOPS_MCP_MAX_SESSIONS: 'lots' }),
    ).toThrowError(/FRONTENDOPS_MCP_MAX_SESSIONS/);
    expect(() =>
      resolveHttpSettings('1', {
        [TOKEN_ENV]: TOKEN,
        FRONTENDOPS_MCP_ALLOWED_ORIGINS: 'console.example.com',
      }),
    ).toThrowError(/FRONTENDOPS_MCP_ALLOWED_ORIGINS/);
  });
});
