import { z } from 'zod';

/** Where the pulumi MCP server reads stack outputs from (design §6). */
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

/** The Claude Desktop `mcpServers` shape, so the same block can be pasted between tools. */
export const McpServerEntrySchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
  })
  .strict();

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
    // Minimum 5 s so tests can watch a crashed deploy's lock expire; production keeps the 900 s default.
    lockTtlSeconds: z.number().int().min(5).max(86_400).default(900),
    invalidation: z
      .object({
        /** More changed paths than this are collapsed to `/*`. */
        collapseAbove: z.number().int().min(1).max(3000).default(25),
        maxWaitSeconds: z.number().int().min(1).max(3600).default(600),
      })
      .strict()
      .default({ collapseAbove: 25, maxWaitSeconds: 600 }),
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
export type McpServerEntry = z.infer<typeof McpServerEntrySchema>;
