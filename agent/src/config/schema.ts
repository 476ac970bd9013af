import { z } from 'zod';

/** Where the pulumi MCP server reads stack outputs from. */
export const PulumiBackendSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('state'),
      /** A self-managed backend: `file:///abs/dir` or `s3://bucket/prefix`. */
      url: z.string().regex(/^(file|s3):\/\//, 'expected a file:// or s3:// backend URL'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('cloud'),
      organization: z.string().min(1),
      project: z.string().min(1).default('dashboard-hosting-prod'),
      apiUrl: z.string().url().default('https://api.pulumi.com'),
    })
    .strict(),
  z.object({ kind: z.literal('automation') }).strict(),
]);

export const AwsSettingsSchema = z
  .object({
    region: z.string().min(1).default('us-east-1'),
    /** Only for S3-compatible endpoints (the sandbox); real AWS leaves these unset. */
    s3Endpoint: z.string().url().optional(),
    cloudfrontEndpoint: z.string().url().optional(),
    forcePathStyle: z.boolean().default(false),
    /**
     * Sign with fixed throw-away credentials. Only accepted when every endpoint is on loopback: it
     * exists so the sandbox works on a machine with no AWS account.
     */
    sandboxCredentials: z.boolean().default(false),
  })
  .strict();

export const StackConfigSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a Pulumi stack name'),
    /** The Pulumi project folder, relative to the config file. */
    workDir: z.string().min(1).default('stacks/dashboard-hosting-prod'),
    backend: PulumiBackendSchema,
    aws: AwsSettingsSchema.default({ region: 'us-east-1', forcePathStyle: false, sandboxCredentials: false }),
    /** Apply without asking in chat (scheduled deploys); `--yes` does the same per run. */
    autoApprove: z.boolean().default(false),
  })
  .strict();

export const GithubSettingsSchema = z
  .object({
    owner: z.string().regex(/^[A-Za-z0-9-]+$/, 'expected a GitHub owner'),
    repo: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a GitHub repository name'),
    dashboardPath: z.string().min(1).default('sophia-dashboard/'),
    branch: z.string().min(1).default('main'),
    tagPrefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/)
      .default('dashboard-deploy-'),
  })
  .strict();

export const CacheRuleSchema = z
  .object({
    /** A picomatch glob on the site-relative path, e.g. `assets/**` or `*.html`. */
    glob: z.string().min(1),
    cacheControl: z.string().min(1).optional(),
    contentType: z.string().min(1).optional(),
  })
  .strict();

export const NETWORK_DEFAULTS = { connectTimeoutSeconds: 3, requestTimeoutSeconds: 10, deadlineSeconds: 25 };

/**
 * How long the engine waits for S3 and the CloudFront API. A dead endpoint (connection refused, or
 * accepted and never answered) fails with ENDPOINT_UNREACHABLE within `deadlineSeconds`; an endpoint
 * that answers with throttling or 5xx errors is retried with backoff regardless, and big copies get a
 * per-attempt timeout that grows with their size.
 */
export const NetworkSettingsSchema = z
  .object({
    /** A TCP connection not established within this is a dead endpoint (black-holed address). */
    connectTimeoutSeconds: z.number().min(0.05).max(60).default(NETWORK_DEFAULTS.connectTimeoutSeconds),
    /** One attempt of a metadata request or a small copy; bigger transfers scale it with their size. */
    requestTimeoutSeconds: z.number().min(0.05).max(600).default(NETWORK_DEFAULTS.requestTimeoutSeconds),
    /** Total time one request may go unanswered across its retries. */
    deadlineSeconds: z.number().min(0.05).max(3600).default(NETWORK_DEFAULTS.deadlineSeconds),
  })
  .strict();

export const HEALTH_CHECK_DEFAULTS = {
  enabled: true,
  concurrency: 8,
  timeoutSeconds: 8,
  retryBudgetSeconds: 60,
};

/**
 * The site health check after a deploy's invalidation: the page through the edge and every same-origin
 * asset it references, each with status 200 and the Content-Type the build declares.
 */
export const HealthCheckSettingsSchema = z
  .object({
    /** false skips the check (a runner that cannot reach the site's url); the deploy then says so. */
    enabled: z.boolean().default(HEALTH_CHECK_DEFAULTS.enabled),
    /** Requests to the edge at once. */
    concurrency: z.number().int().min(1).max(64).default(HEALTH_CHECK_DEFAULTS.concurrency),
    /** One request's timeout; an edge that never answers fails after three of them. */
    timeoutSeconds: z.number().min(0.05).max(120).default(HEALTH_CHECK_DEFAULTS.timeoutSeconds),
    /** How long a 404, a stale page or a wrong Content-Type is retried while the CDN propagates. */
    retryBudgetSeconds: z.number().min(0).max(1800).default(HEALTH_CHECK_DEFAULTS.retryBudgetSeconds),
  })
  .strict();

/** A server the agent starts and talks to over stdio: the Claude Desktop `mcpServers` shape. */
export const StdioMcpServerEntrySchema = z
  .object({
    type: z.literal('stdio').optional(),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
  })
  .strict();

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A server already running elsewhere, reached over Streamable HTTP: Cursor's `url` + `headers` shape
 * (Claude Code's `type: "http"` is accepted too). Header values may use `${env:NAME}`, so a token stays
 * in the environment, not in the file. Plain http is only accepted to a loopback address: anything
 * else would send the token unencrypted.
 */
export const HttpMcpServerEntrySchema = z
  .object({
    type: z.enum(['http', 'streamable-http']).optional(),
    url: z
      .string()
      .url()
      .refine((value) => /^https:\/\//i.test(value) || isLoopbackHttpUrl(value), {
        message: 'expected an https:// URL (plain http:// only to 127.0.0.1, localhost or [::1])',
      }),
    headers: z
      .record(
        z.string().regex(HEADER_NAME, 'expected an HTTP header name'),
        // biome-ignore lint/suspicious/noControlCharactersInRegex: a header value must not carry CR, LF or NUL.
        z.string().regex(/^[^\u0000\r\n]*$/, 'a header value cannot contain line breaks'),
      )
      .default({}),
  })
  .strict();

function isLoopbackHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return url.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\./.test(host));
  } catch {
    return false;
  }
}

/** One `mcpServers` entry: `command`… (stdio) or `url`… (HTTP); the same blocks paste between tools. */
export const McpServerEntrySchema = z.union([StdioMcpServerEntrySchema, HttpMcpServerEntrySchema], {
  error: 'expected a stdio entry ({ command, args?, env?, cwd? }) or an HTTP entry ({ url, headers? })',
});

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    stacks: z.array(StackConfigSchema).min(1),
    github: GithubSettingsSchema,
    auditLogPath: z.string().min(1).default('.frontendops/audit.jsonl'),
    keepReleases: z.number().int().min(1).max(100).default(3),
    concurrency: z.number().int().min(1).max(256).default(32),
    cacheRules: z.array(CacheRuleSchema).default([]),
    /**
     * After a release goes live and fails its check (version.json, or index.html and its assets
     * through the edge), go back to the previous complete release automatically.
     */
    autoRollback: z.boolean().default(true),
    /**
     * Entry files every build must contain; a build without one is refused at publish and at deploy
     * (BUILD_INCOMPLETE). Site-relative paths.
     */
    requiredFiles: z
      .array(
        z
          .string()
          .min(1)
          .max(1024)
          .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'expected a site-relative path'),
      )
      .default(['index.html', 'version.json']),
    // Minimum 5 s so tests can watch a crashed deploy's lock expire; production keeps the 900 s default.
    lockTtlSeconds: z.number().int().min(5).max(86_400).default(900),
    /**
     * How long a `publish` that stopped renewing (crashed) keeps its commit's publish claim, by S3's
     * clock; another publish of that commit waits at most this long before taking over.
     */
    publishClaimTtlSeconds: z.number().int().min(5).max(86_400).default(300),
    invalidation: z
      .object({
        /** More changed paths than this are collapsed to `/*`. */
        collapseAbove: z.number().int().min(1).max(3000).default(25),
        maxWaitSeconds: z.number().int().min(1).max(3600).default(600),
      })
      .strict()
      .default({ collapseAbove: 25, maxWaitSeconds: 600 }),
    network: NetworkSettingsSchema.default(NETWORK_DEFAULTS),
    healthCheck: HealthCheckSettingsSchema.default(HEALTH_CHECK_DEFAULTS),
    mcpServers: z.record(z.string().min(1), McpServerEntrySchema).default({}),
    /** Which `mcpServers` entries play which role. */
    servers: z
      .object({ pulumi: z.string().default('pulumi'), github: z.string().default('github') })
      .strict()
      .default({ pulumi: 'pulumi', github: 'github' }),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type StackConfig = z.infer<typeof StackConfigSchema>;
export type PulumiBackend = z.infer<typeof PulumiBackendSchema>;
export type AwsSettings = z.infer<typeof AwsSettingsSchema>;
export type GithubSettings = z.infer<typeof GithubSettingsSchema>;
export type CacheRule = z.infer<typeof CacheRuleSchema>;
export type NetworkSettings = z.infer<typeof NetworkSettingsSchema>;
export type HealthCheckSettings = z.infer<typeof HealthCheckSettingsSchema>;
export type McpServerEntry = z.infer<typeof McpServerEntrySchema>;
export type StdioMcpServerEntry = z.infer<typeof StdioMcpServerEntrySchema>;
export type HttpMcpServerEntry = z.infer<typeof HttpMcpServerEntrySchema>;
