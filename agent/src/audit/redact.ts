/**
 * Secret redaction for everything FrontendOps writes down (audit log, printed errors, tool text).
 * Three nets, because each alone misses something:
 * 1. by key name — a field called `token`, `secretAccessKey`, `Authorization`… is replaced whole;
 * 2. by value pattern — well-known credential shapes (AWS key ids, GitHub and Pulumi tokens, signed
 *    URL query parameters, bearer headers, PEM private keys) wherever they appear inside a string;
 * 3. by known value — the actual values of secret-looking environment variables (and of the secret
 *    env entries handed to MCP servers), so a secret with no recognisable shape is still caught.
 */

export const REDACTED = '[REDACTED]';

/** Normalised (lower-case, no `-`/`_`) fragments that make a field name secret. */
const SECRET_NAME_FRAGMENTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'passphrase',
  'authorization',
  'credential',
  'cookie',
  'signature',
  'privatekey',
  'apikey',
  'accesskey',
  'sessionkey',
] as const;

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/** True for `token`, `GITHUB_TOKEN`, `secretAccessKey`, `x-api-key`, `key`, `Authorization`… */
export function isSecretName(name: string): boolean {
  const normalised = normaliseName(name);
  if (normalised === 'key' || normalised.endsWith('key')) return true;
  return SECRET_NAME_FRAGMENTS.some((fragment) => normalised.includes(fragment));
}

/**
 * Credential shapes, each replaced by REDACTED. They match wherever the token starts — glued to a
 * word, after `_`, `-`, `=`, `:` or `/` — because that is how tokens end up in requester names, URLs
 * and env dumps. Only the shapes that occur inside ordinary words (`sk-` in "task-…", `pul-` in
 * "ampul-…") need a non-alphanumeric character before them.
 */
const VALUE_PATTERNS: readonly RegExp[] = [
  // AWS access key ids (long-term AKIA, temporary ASIA).
  /(?:AKIA|ASIA)[A-Z0-9]{16}/g,
  // GitHub tokens: classic, OAuth, user-to-server, server-to-server, refresh; fine-grained PATs.
  /gh[pousr]_[A-Za-z0-9]{20,}/g,
  /github_pat_[A-Za-z0-9_]{20,}/g,
  // Pulumi access tokens: pul- and 40 hex digits, or any long pul- value that starts a word.
  /pul-[a-f0-9]{40}/g,
  /(?<![A-Za-z0-9])pul-[A-Za-z0-9]{20,}/g,
  // Model provider keys: Anthropic (sk-ant-…), OpenAI (sk-…, sk-proj-…).
  /sk-ant-[A-Za-z0-9_-]{20,}/g,
  /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}/g,
  // Slack-style tokens.
  /xox[abprs]-[A-Za-z0-9-]{10,}/g,
  // JSON web tokens (bearer tokens, session cookies).
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // PEM private keys.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/**
 * An AWS secret access key: exactly 40 base64 characters standing alone, with upper- and lower-case
 * letters and a digit or `/`/`+` (a git sha is 40 characters too, but lower-case hex only).
 */
const AWS_SECRET_CANDIDATE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

function looksLikeAwsSecret(candidate: string): boolean {
  return /[A-Z]/.test(candidate) && /[a-z]/.test(candidate) && /[0-9/+]/.test(candidate);
}

/** `https://user:password@host`: the password goes, the rest of the URL stays readable. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi;

/** `Bearer abc…`, `token abc…` in an Authorization-like string: keep the scheme, drop the credential. */
const AUTH_SCHEME = /\b(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Signed-URL query parameters (S3 SigV4 presigned URLs, CloudFront signed URLs). */
const SIGNED_QUERY =
  /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|Key-Pair-Id|Policy|sig|token|access_token)=)[^&\s"'#]+/gi;

/** `password=…` / `secret: …` written inline in free text (connection strings, env dumps). */
const INLINE_ASSIGNMENT =
  /\b((?:[A-Za-z0-9]+[_-])*(?:token|secret|password|passwd|api[_-]?key|access[_-]?key)\s*[=:]\s*)("?)[^\s"',;&]{6,}\2/gi;

/** Shortest value of a known secret that is worth matching literally (shorter ones are noise). */
const MIN_KNOWN_SECRET_LENGTH = 6;

export interface Redactor {
  /** Redacts secrets inside one string. */
  text(value: string): string;
  /** Deep-copies a JSON-like value, replacing secret fields and secret substrings. */
  value(value: unknown): unknown;
}

/**
 * The secret values found in an environment: every variable whose name looks secret. Used to seed a
 * redactor with what this process (and the MCP servers it starts) actually holds.
 */
export function secretValuesFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isSecretName(name) && value.length >= MIN_KNOWN_SECRET_LENGTH) {
      values.push(value);
    }
  }
  return values;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createRedactor(knownSecrets: Iterable<string> = []): Redactor {
  const literals = [...new Set(knownSecrets)]
    .filter((secret) => secret.length >= MIN_KNOWN_SECRET_LENGTH)
    // Longest first, so a secret that contains another is removed whole.
    .sort((a, b) => b.length - a.length);
  const literalPattern =
    literals.length === 0 ? undefined : new RegExp(literals.map(escapeRegExp).join('|'), 'g');

  const text = (input: string): string => {
    let out = input;
    if (literalPattern) out = out.replace(literalPattern, REDACTED);
    for (const pattern of VALUE_PATTERNS) out = out.replace(pattern, REDACTED);
    out = out.replace(AWS_SECRET_CANDIDATE, (candidate) =>
      looksLikeAwsSecret(candidate) ? REDACTED : candidate,
    );
    out = out.replace(URL_CREDENTIALS, (_match, prefix: string) => `${prefix}${REDACTED}@`);
    out = out.replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`);
    out = out.replace(SIGNED_QUERY, (_match, prefix: string) => `${prefix}${REDACTED}`);
    out = out.replace(
      INLINE_ASSIGNMENT,
      (_match, prefix: string, quote: string) => `${prefix}${quote}${REDACTED}${quote}`,
    );
    return out;
  };

  const value = (input: unknown, depth = 0): unknown => {
    if (typeof input === 'string') return text(input);
    if (input === null || typeof input !== 'object') return input;
    // Deeply nested input is not something FrontendOps produces; cut it rather than recurse forever.
    if (depth > 20) return '[TRUNCATED]';
    if (Array.isArray(input)) return input.map((item) => value(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input as Record<string, unknown>)) {
      out[key] = isSecretName(key) && item !== undefined && item !== null ? REDACTED : value(item, depth + 1);
    }
    return out;
  };

  return { text, value: (input) => value(input) };
}
