import { z } from 'zod';

/**
 * The JSON documents the engine stores in the artifacts bucket (design §4). One zod schema each; the
 * engine parses every document it reads, so a hand-edited or truncated file is refused with
 * MANIFEST_INVALID instead of being half-trusted.
 */

/** S3 keys are at most 1,024 bytes; the hosting prefix takes some of that. */
export const MAX_SITE_PATH_BYTES = 1024;

export const CommitShaSchema = z
  .string()
  .regex(/^[0-9a-f]{40}$/, 'expected a full 40-hex lowercase commit sha')
  .describe('Full git commit sha');

export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');

const IsoDateSchema = z.iso.datetime({ offset: true });

/**
 * A site-relative path as it becomes an S3 key under the hosting prefix. It is compared byte for byte
 * (S3 keys are case-sensitive and not Unicode-normalised), so `App.js` and `app.js` are two files.
 */
export const SitePathSchema = z
  .string()
  .min(1)
  .refine((p) => Buffer.byteLength(p, 'utf8') <= MAX_SITE_PATH_BYTES, 'longer than 1,024 bytes')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  .refine((p) => !/[\x00-\x1f\x7f]/.test(p), 'contains a control character')
  .refine((p) => !p.includes('\\'), 'contains a backslash')
  .refine((p) => !p.startsWith('/') && !p.endsWith('/'), 'starts or ends with "/"')
  .refine(
    (p) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'has an empty, "." or ".." segment',
  );

/** An S3 ETag as S3 returns it (quoted); compared without quotes or a weak `W/` marker. */
export const EtagSchema = z.string().min(1).max(128);

export const ManifestFileSchema = z
  .object({
    path: SitePathSchema,
    size: z.number().int().min(0),
    sha256: Sha256Schema,
    contentType: z.string().min(1).max(256),
    cacheControl: z.string().min(1).max(256),
    /**
     * The ETag S3 returned when `publish` uploaded this file (schema 2). A listing of the build prefix
     * carries every object's ETag and size, so the deploy preflight checks the whole build at listing
     * cost, and each copy is conditional on it (`x-amz-copy-source-if-match`).
     */
    etag: EtagSchema.optional(),
  })
  .strict();

function uniquePaths(files: ReadonlyArray<{ path: string }>): boolean {
  return new Set(files.map((f) => f.path)).size === files.length;
}

/** The manifest schema `publish` writes. Schema 1 (no fingerprints) is still read, never deployed. */
export const BUILD_MANIFEST_SCHEMA = 2;

/**
 * `builds/<commit>/build.json`: written last by `publish`; its presence means "build complete".
 * Schema 2 records each file's upload ETag; schema 1 manifests (older publishers) have none, so their
 * files cannot be verified and the preflight refuses them until the commit is published again.
 */
export const BuildManifestSchema = z
  .object({
    schema: z.union([z.literal(1), z.literal(2)]),
    commit: CommitShaSchema,
    builtAt: IsoDateSchema,
    files: z.array(ManifestFileSchema).min(1).refine(uniquePaths, 'lists a path twice'),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    if (manifest.schema !== 2) return;
    const index = manifest.files.findIndex((f) => f.etag === undefined);
    if (index >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['files', index, 'etag'],
        message: 'schema 2 records an etag for every file',
      });
    }
  });

/**
 * One live file in a release record. `etag` and `size` are what S3 reported when the engine wrote the
 * object: a later listing that disagrees means the file was changed out of band (drift). The headers
 * are recorded so a changed cache rule re-copies the file even when its content did not change.
 */
export const ReleaseFileSchema = z
  .object({
    path: SitePathSchema,
    sha256: Sha256Schema,
    etag: z.string().min(1).optional(),
    size: z.number().int().min(0).optional(),
    contentType: z.string().optional(),
    cacheControl: z.string().optional(),
  })
  .strict();

/**
 * A file of an earlier release that is not part of this one but is kept in the hosting bucket, because
 * visitors may still hold an HTML page of that release. `age` = how many releases ago it was last live
 * (1 = the release just before this one). Keeping these in the current record lets the next deploy
 * decide what to prune without reading the whole history.
 */
export const RetainedFileSchema = ReleaseFileSchema.extend({ age: z.number().int().min(1) }).strict();

export const TriggerSchema = z.enum(['cli', 'chat', 'schedule', 'mcp', 'workflow', 'rollback']);

export const ReleaseRecordSchema = z
  .object({
    schema: z.literal(1),
    releaseId: z.string().regex(/^[0-9A-Za-z._-]{1,128}$/),
    stack: z.string().min(1),
    commit: CommitShaSchema,
    tag: z.string().min(1).nullable().optional(),
    trigger: TriggerSchema,
    requestedBy: z.string().min(1).max(200),
    startedAt: IsoDateSchema,
    finishedAt: IsoDateSchema,
    /** Where the files were copied; a record for another bucket/prefix does not describe this one. */
    destination: z
      .object({ bucket: z.string().min(1), prefix: z.string() })
      .strict()
      .optional(),
    previousReleaseId: z.string().optional(),
    files: z.array(ReleaseFileSchema).refine(uniquePaths, 'lists a path twice'),
    retained: z.array(RetainedFileSchema).default([]),
    copied: z.number().int().min(0),
    unchanged: z.number().int().min(0),
    deleted: z.number().int().min(0),
    deferredDeletes: z.number().int().min(0).optional(),
    invalidationId: z.string().nullable().optional(),
  })
  .strict();

/** `locks/<stack>.json`: who deploys what, and until when the lock is valid without a renewal. */
export const DeployLockSchema = z
  .object({
    schema: z.literal(1),
    lockId: z.string().min(8).max(128),
    stack: z.string().min(1),
    owner: z.string().min(1).max(300),
    trigger: TriggerSchema,
    commit: CommitShaSchema,
    requestedBy: z.string().min(1).max(200),
    acquiredAt: IsoDateSchema,
    renewedAt: IsoDateSchema,
    expiresAt: IsoDateSchema,
  })
  .strict();

export type BuildManifest = z.infer<typeof BuildManifestSchema>;
export type ManifestFile = z.infer<typeof ManifestFileSchema>;
export type ReleaseRecord = z.infer<typeof ReleaseRecordSchema>;
export type ReleaseRecordInput = z.input<typeof ReleaseRecordSchema>;
export type ReleaseFile = z.infer<typeof ReleaseFileSchema>;
export type RetainedFile = z.infer<typeof RetainedFileSchema>;
export type DeployLock = z.infer<typeof DeployLockSchema>;
export type Trigger = z.infer<typeof TriggerSchema>;
