import { z } from 'zod';

/**
 * The JSON documents the engine stores in the artifacts bucket. One zod schema each; the
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

/**
 * What started a release: the origin of the request. `rollback` only appears in records written before
 * releases had a `kind`; a rollback now keeps its origin as trigger and says `kind: rollback`.
 */
export const TriggerSchema = z.enum(['cli', 'chat', 'schedule', 'mcp', 'workflow', 'rollback']);

/** `deploy` (a newer or named commit), `rollback` (asked for), `auto-rollback` (after a failed health check). */
export const ReleaseKindSchema = z.enum(['deploy', 'rollback', 'auto-rollback']);

/**
 * `pending`: journaled and not finished (being made live, or interrupted: a later run finishes or
 * replaces it). `complete`: every step done. `rolled_back`: no longer live without having completed —
 * restored after a failed health check, rolled back, or replaced by a later release before it finished
 * (`endedBy` says which).
 */
export const ReleaseStatusSchema = z.enum(['pending', 'complete', 'rolled_back']);

/** The steps after the journal write, in the order the engine runs them. */
export const RELEASE_STEPS = ['copied', 'invalidated', 'verified', 'tagged', 'pruned', 'published'] as const;
export type ReleaseStep = (typeof RELEASE_STEPS)[number];

export const StepStateSchema = z
  .object({
    done: z.boolean(),
    /** When the step completed (the engine's clock; informational). */
    at: IsoDateSchema.nullable(),
    /** Why a step counts as done without doing anything (no tagger, nothing to invalidate…). */
    note: z.string().max(300).optional(),
  })
  .strict();

export const ReleaseStepsSchema = z
  .object({
    copied: StepStateSchema,
    invalidated: StepStateSchema,
    verified: StepStateSchema,
    tagged: StepStateSchema,
    pruned: StepStateSchema,
    published: StepStateSchema,
  })
  .strict();

/** The first step that failed, and how: what a later run (or a person) needs to finish the release. */
export const ReleaseFailureSchema = z
  .object({
    step: z.enum(RELEASE_STEPS),
    code: z.string().min(1).max(64),
    message: z.string().max(2000),
    at: IsoDateSchema,
  })
  .strict();

/** One page or asset that failed the health check (at most `MAX_HEALTH_FAILURES` are kept). */
export const HealthFailureSchema = z
  .object({
    path: z.string().max(1100),
    reason: z.string().max(300),
    status: z.number().int().optional(),
    contentType: z.string().max(256).optional(),
    expected: z.string().max(256).optional(),
  })
  .strict();
export const MAX_HEALTH_FAILURES = 20;

/** A commit subject as stored: untrusted repository text, redacted by the caller and bounded here. */
export const MAX_SUBJECT_LENGTH = 200;

const ReleaseIdSchema = z.string().regex(/^[0-9A-Za-z._-]{1,128}$/);

const releaseFields = {
  schema: z.literal(1),
  releaseId: ReleaseIdSchema,
  stack: z.string().min(1),
  commit: CommitShaSchema,
  tag: z.string().min(1).nullable().optional(),
  kind: ReleaseKindSchema,
  trigger: TriggerSchema,
  requestedBy: z.string().min(1).max(200),
  subject: z.string().max(MAX_SUBJECT_LENGTH).nullable(),
  status: ReleaseStatusSchema,
  steps: ReleaseStepsSchema,
  startedAt: IsoDateSchema,
  /** When the release ended (complete or rolled back); null while pending. */
  finishedAt: IsoDateSchema.nullable(),
  /** Where the files were copied; a record for another bucket/prefix does not describe this one. */
  destination: z
    .object({ bucket: z.string().min(1), prefix: z.string() })
    .strict()
    .optional(),
  previousReleaseId: z.string().optional(),
  copied: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  deleted: z.number().int().min(0),
  deferredDeletes: z.number().int().min(0).optional(),
  invalidationId: z.string().nullable().optional(),
  /** The unfinished release this one replaced (its files were kept; its invalidation merged into ours). */
  supersedes: ReleaseIdSchema.optional(),
  /** Set when status is rolled_back: the release that took over, and why. */
  endedBy: z
    .object({
      releaseId: ReleaseIdSchema,
      reason: z.enum(['health-check', 'rollback', 'superseded']),
    })
    .strict()
    .optional(),
  failure: ReleaseFailureSchema.optional(),
  health: z
    .object({
      ok: z.boolean(),
      checked: z.number().int().min(0),
      failures: z.array(HealthFailureSchema).max(MAX_HEALTH_FAILURES),
    })
    .strict()
    .optional(),
  /** The lock (its lockId) under which the journal was last written. */
  lockId: z.string().max(128).optional(),
};

const ReleaseRecordObject = z
  .object({
    ...releaseFields,
    files: z.array(ReleaseFileSchema).refine(uniquePaths, 'lists a path twice'),
    retained: z.array(RetainedFileSchema).default([]),
    /** CloudFront paths this release invalidates (its own changes and those of a release it replaced). */
    invalidate: z.array(z.string().min(1).max(4096)).default([]),
    /**
     * Site paths this release deletes once its invalidation completed (files of releases no longer kept,
     * adopted objects). Recorded with the plan so that a run finishing or replacing the release knows
     * them: they are neither "unknown" (kept forever) nor forgotten.
     */
    deleteLater: z.array(z.string().min(1).max(MAX_SITE_PATH_BYTES)).optional(),
  })
  .strict();

const doneStep = (at: unknown) => ({ done: true, at: typeof at === 'string' ? at : null });

/**
 * Records written before the journal had no status, steps, kind or subject. They were written once
 * the files were live and never revisited, so they read as complete releases whose steps all ran.
 */
export function upgradeLegacyRelease(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || 'status' in input) return input;
  const legacy = input as Record<string, unknown>;
  const step = doneStep(legacy.finishedAt);
  return {
    ...legacy,
    kind: legacy.trigger === 'rollback' ? 'rollback' : 'deploy',
    subject: null,
    status: 'complete',
    steps: {
      copied: step,
      invalidated: step,
      verified: step,
      tagged: step,
      pruned: step,
      published: { done: false, at: null, note: 'recorded before deployments.json existed' },
    },
  };
}

/**
 * A release record — the release journal (`releases/<stack>/current.json`): written `pending` with its
 * full file list before the first copy, then updated as its steps complete.
 */
export const ReleaseRecordSchema = z.preprocess(upgradeLegacyRelease, ReleaseRecordObject);

/**
 * A release as kept in the history (`releases/<stack>/history/…`): the record without its file lists,
 * so reading the last few releases stays cheap whatever the size of the site.
 */
const ReleaseEntryObject = z.object({ ...releaseFields, fileCount: z.number().int().min(0) }).strict();

export function toReleaseEntryInput(input: unknown): unknown {
  const upgraded = upgradeLegacyRelease(input);
  if (typeof upgraded !== 'object' || upgraded === null || !('files' in upgraded)) return upgraded;
  const {
    files,
    retained: _retained,
    invalidate: _invalidate,
    deleteLater: _deleteLater,
    ...rest
  } = upgraded as Record<string, unknown>;
  return { ...rest, fileCount: Array.isArray(files) ? files.length : 0 };
}

export const ReleaseEntrySchema = z.preprocess(toReleaseEntryInput, ReleaseEntryObject);

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
    /**
     * The holder's own clock, for people. Nobody decides on it: expiry is S3's `Last-Modified` of the
     * lock plus `ttlSeconds`, against S3's `Date` (lock.ts).
     */
    expiresAt: IsoDateSchema,
    /** How long the lock stays valid after its last write (by S3's clock) without a renewal. */
    ttlSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

/** One row of `deployments.json`: a release record's public summary (no file lists, no paths). */
export const DeploymentEntrySchema = z
  .object({
    releaseId: ReleaseIdSchema,
    tag: z.string().nullable(),
    commit: CommitShaSchema,
    subject: z.string().max(MAX_SUBJECT_LENGTH).nullable(),
    startedAt: IsoDateSchema,
    finishedAt: IsoDateSchema.nullable(),
    requestedBy: z.string().max(200),
    trigger: TriggerSchema,
    kind: ReleaseKindSchema,
    status: ReleaseStatusSchema,
    filesChanged: z.number().int().min(0),
    durationMs: z.number().int().min(0).nullable(),
  })
  .strict();

export const MAX_DEPLOYMENT_ENTRIES = 20;

/** `deployments.json` at the hosting root: the last releases, newest first, for the dashboard. */
export const DeploymentsDocumentSchema = z
  .object({
    schema: z.literal(1),
    stack: z.string().min(1),
    generatedAt: IsoDateSchema,
    live: ReleaseIdSchema.nullable(),
    releases: z.array(DeploymentEntrySchema).max(MAX_DEPLOYMENT_ENTRIES),
  })
  .strict();

export type BuildManifest = z.infer<typeof BuildManifestSchema>;
export type ManifestFile = z.infer<typeof ManifestFileSchema>;
export type ReleaseRecord = z.infer<typeof ReleaseRecordSchema>;
export type ReleaseRecordInput = z.input<typeof ReleaseRecordObject>;
export type ReleaseEntry = z.infer<typeof ReleaseEntrySchema>;
export type ReleaseKind = z.infer<typeof ReleaseKindSchema>;
export type ReleaseStatus = z.infer<typeof ReleaseStatusSchema>;
export type ReleaseSteps = z.infer<typeof ReleaseStepsSchema>;
export type StepState = z.infer<typeof StepStateSchema>;
export type ReleaseFailure = z.infer<typeof ReleaseFailureSchema>;
export type HealthFailure = z.infer<typeof HealthFailureSchema>;
export type DeploymentEntry = z.infer<typeof DeploymentEntrySchema>;
export type DeploymentsDocument = z.infer<typeof DeploymentsDocumentSchema>;
export type ReleaseFile = z.infer<typeof ReleaseFileSchema>;
export type RetainedFile = z.infer<typeof RetainedFileSchema>;
export type DeployLock = z.infer<typeof DeployLockSchema>;
export type Trigger = z.infer<typeof TriggerSchema>;
