/**
 * The edge's shared cache, with CloudFront's TTL rules for a cache behaviour with MinTTL 0, DefaultTTL one
 * day and MaxTTL one year (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html):
 * `s-maxage` wins over `max-age`; `no-cache`, `no-store` and `private` are not cached; no directive means
 * the default TTL. Keys are request paths, as CloudFront's are (query strings are not part of the key).
 */
export const CACHE_POLICY = {
  minTtlSeconds: 0,
  defaultTtlSeconds: 86_400,
  maxTtlSeconds: 31_536_000,
} as const;

export interface CachePolicy {
  minTtlSeconds: number;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
}

/** Seconds the edge may keep a response with this Cache-Control; 0 means "do not cache". */
export function edgeTtlSeconds(cacheControl: string | undefined, policy: CachePolicy = CACHE_POLICY): number {
  const directives = new Map<string, string | undefined>();
  for (const part of (cacheControl ?? '').split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name) directives.set(name.toLowerCase(), value?.replace(/^"|"$/g, ''));
  }
  if (policy.minTtlSeconds === 0 && ['no-cache', 'no-store', 'private'].some((d) => directives.has(d)))
    return 0;
  const seconds = (name: string): number | undefined => {
    const value = directives.get(name);
    if (value === undefined || !/^\d+$/.test(value)) return undefined;
    return Number(value);
  };
  const ttl = seconds('s-maxage') ?? seconds('max-age') ?? policy.defaultTtlSeconds;
  return Math.min(policy.maxTtlSeconds, Math.max(policy.minTtlSeconds, ttl));
}

export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Entry {
  response: CachedResponse;
  storedAt: number;
  expiresAt: number;
}

export class EdgeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh entry and its age in whole seconds, or undefined (expired entries are dropped). */
  get(path: string): { response: CachedResponse; ageSeconds: number } | undefined {
    const entry = this.entries.get(path);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now >= entry.expiresAt) {
      this.entries.delete(path);
      return undefined;
    }
    return { response: entry.response, ageSeconds: Math.floor((now - entry.storedAt) / 1000) };
  }

  put(path: string, response: CachedResponse, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    const now = this.now();
    this.entries.set(path, { response, storedAt: now, expiresAt: now + ttlSeconds * 1000 });
  }

  /** Drops every entry an invalidation path matches; returns how many were dropped. */
  purge(patterns: readonly string[]): number {
    let dropped = 0;
    for (const path of [...this.entries.keys()]) {
      if (patterns.some((pattern) => invalidationPathMatches(pattern, path))) {
        this.entries.delete(path);
        dropped += 1;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.entries.size;
  }
}

function decodePath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/**
 * CloudFront invalidation path matching: exact, or a prefix when the path ends with `*` (the only place a
 * wildcard may appear). Paths are compared decoded, so `/a%20b.html` and `/a b.html` are the same file.
 */
export function invalidationPathMatches(pattern: string, path: string): boolean {
  const p = decodePath(pattern);
  const candidate = decodePath(path);
  return p.endsWith('*') ? candidate.startsWith(p.slice(0, -1)) : candidate === p;
}
