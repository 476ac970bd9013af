import { describe, expect, it } from 'vitest';
import {
  allowedHostnames,
  bearerMatches,
  hostAllowed,
  originAllowed,
  ownOrigins,
  tokenDigest,
} from '../../../../agent/src/mcp/http/guards.js';
import { SessionTable } from '../../../../agent/src/mcp/http/sessions.js';

const TOKEN = 'a1'.repeat(32);

describe('bearer token', () => {
  const expected = tokenDigest(TOKEN);
  it('accepts exactly `Bearer <token>`', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, expected)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, expected)).toBe(true);
  });

  it('refuses a missing, different, prefixed, extended or differently-schemed token', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Bearer x${TOKEN}`,
      `Basic ${TOKEN}`,
      TOKEN,
      `Bearer ${TOKEN} extra`,
    ]) {
      expect(bearerMatches(header, expected), String(header)).toBe(false);
    }
  });
});

describe('Host and Origin (DNS rebinding)', () => {
  it('on loopback, allows only the loopback names', () => {
    const hosts = allowedHostnames({ host: '127.0.0.1', extra: [], machineNames: ['box', '10.0.0.5'] });
    expect([...hosts].sort()).toEqual(['127.0.0.1', '[::1]', 'localhost']);
    expect(hostAllowed('127.0.0.1:8765', hosts)).toBe(true);
    expect(hostAllowed('localhost', hosts)).toBe(true);
    expect(hostAllowed('[::1]:8765', hosts)).toBe(true);
    // A rebinding page reaches 127.0.0.1 under its own name.
    expect(hostAllowed('attacker.example:8765', hosts)).toBe(false);
    expect(hostAllowed(undefined, hosts)).toBe(false);
    expect(hostAllowed('127.0.0.1:80 evil', hosts)).toBe(false);
  });

  it('on every interface, allows this machine’s names and the operator’s list', () => {
    const hosts = allowedHostnames({
      host: '0.0.0.0',
      extra: ['mcp.internal'],
      machineNames: ['box', 'fe80::1'],
    });
    for (const host of ['box:1', '[fe80::1]:1', 'mcp.internal', 'localhost:1', 'MCP.INTERNAL:2']) {
      expect(hostAllowed(host, hosts), host).toBe(true);
    }
    expect(hostAllowed('elsewhere.example', hosts)).toBe(false);
  });

  it('on a named host, allows that name', () => {
    const hosts = allowedHostnames({ host: 'mcp.internal', extra: [], machineNames: ['box'] });
    expect([...hosts]).toEqual(['mcp.internal']);
  });

  it('lets programs without an Origin through and browsers only from allowed origins', () => {
    const origins = new Set([...ownOrigins(['127.0.0.1', 'localhost'], 8765), 'https://console.example.com']);
    expect(originAllowed(undefined, origins)).toBe(true);
    expect(originAllowed('http://localhost:8765', origins)).toBe(true);
    expect(originAllowed('https://console.example.com', origins)).toBe(true);
    expect(originAllowed('https://evil.example', origins)).toBe(false);
    expect(originAllowed('http://localhost:9999', origins)).toBe(false);
    expect(originAllowed('null', origins)).toBe(false);
  });
});

describe('SessionTable', () => {
  function table(maxSessions: number) {
    let now = 0;
    const sessions = new SessionTable<string>({ maxSessions, idleTimeoutMs: 1000 }, () => now);
    return { sessions, advance: (ms: number) => (now += ms) };
  }

  it('caps sessions, counting the ones being opened', () => {
    const { sessions } = table(2);
    expect(sessions.reserve()).toBe(true);
    expect(sessions.reserve()).toBe(true);
    expect(sessions.reserve()).toBe(false);
    sessions.add('a', 'A');
    sessions.release();
    expect(sessions.reserve()).toBe(true);
    sessions.add('b', 'B');
    expect(sessions.reserve()).toBe(false);
    expect(sessions.remove('a')).toBe('A');
    expect(sessions.reserve()).toBe(true);
  });

  it('expires idle sessions, but never one with a request in flight', () => {
    const { sessions, advance } = table(5);
    sessions.reserve();
    sessions.add('idle', 'I');
    sessions.reserve();
    sessions.add('busy', 'B');
    const end = sessions.begin('busy');
    advance(1001);
    expect(sessions.takeExpired().map((e) => e.id)).toEqual(['idle']);
    expect(sessions.get('busy')).toBe('B');
    end();
    advance(500);
    expect(sessions.takeExpired()).toEqual([]);
    advance(501);
    expect(sessions.takeExpired().map((e) => e.id)).toEqual(['busy']);
    expect(sessions.size).toBe(0);
  });
});
