import { isValid } from 'ulid';
import { z } from 'zod';

/**
 * Deploy jobs (`jobs/<stack>/<newest-first key>-<jobId>.json` in the artifacts bucket): what an agent
 * instance was asked to do, who asked, which instance runs it, how far it got and how it ended. Any
 * instance reads any job; the instance running one renews its lease by rewriting it (conditional on
 * its ETag), so a job whose lease ran out — by S3's clock — belongs to an instance that died, and the
 * next instance that touches the stack settles it from the release journal.
 */

export const JOBS_PREFIX = 'jobs/';

/** A ULID (Crockford base32, 48-bit millisecond time then 80 random bits): unique and sortable by time. */
export const JobIdSchema = z
  .string()
  .refine((id) => isValid(id) && id === id.toUpperCase(), 'expected a deployment id (26-character ULID)')
  .describe('A deployment id, as deploy_dashboard or rollback_dashboard returned it');

const StackNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/)
  .refine((s) => !/^\.+$/.test(s), 'not a stack name');

/** Outcome words shared with the deploy report and the CLI (contracts): plus `running` while it runs. */
export const JOB_STATUSES = [
  'running',
  'deployed',
  'noop',
  'planned',
  'incomplete',
  'rolled_back',
  'refused',
  'cancelled',
  'failed',
] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export function isFinished(status: JobStatus): boolean {
  return status !== 'running';
}

const IsoDateSchema = z.iso.datetime({ offset: true });

export const JobKindSchema = z.enum(['deploy', 'rollback', 'finish']);
export type JobKind = z.infer<typeof JobKindSchema>;

export const JobErrorSchema = z
  .object({
    code: z.string().min(1).max(64),
    message: z.string().max(2000),
    hint: z.string().max(1000).optional(),
  })
  .strict();

export const JobProgressSchema = z
  .object({
    step: z.string().max(64),
    done: z.number().int().min(0),
    total: z.number().int().min(0),
    message: z.string().max(500).optional(),
  })
  .strict();

/** Who runs (or ran) a job: the agent instance, and the job that settled it if its instance died. */
export const JobRecordSchema = z
  .object({
    schema: z.literal(1),
    jobId: JobIdSchema,
    stack: StackNameSchema,
    kind: JobKindSchema,
    /** The arguments the job was started with (already validated tool or CLI input). */
    request: z.record(z.string(), z.unknown()),
    trigger: z.enum(['cli', 'chat', 'schedule', 'mcp', 'workflow']),
    requestedBy: z.string().min(1).max(200),
    /** The instance that started the job and renews its lease (`host pid N, instance ID`). */
    instance: z.string().min(1).max(200),
    status: JobStatusSchema,
    /** Times on the writer's clock: for people. Lease expiry is judged by S3's clock only. */
    createdAt: IsoDateSchema,
    updatedAt: IsoDateSchema,
    finishedAt: IsoDateSchema.nullable(),
    /** How long the job stays alive after its last write (S3's Last-Modified) without a renewal. */
    leaseSeconds: z.number().int().min(1).max(86_400),
    /** Bumped by every write; with `writer` it tells a retried write that landed from a lost race. */
    revision: z.number().int().min(0),
    writer: z.string().min(1).max(200),
    progress: JobProgressSchema.optional(),
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    /** The release this job journaled (or finished): its status is the job's outcome once settled. */
    releaseId: z
      .string()
      .regex(/^[0-9A-Za-z._-]{1,128}$/)
      .optional(),
    tag: z.string().max(200).optional(),
    /** The flow's JSON answer once finished (the deploy report, plus tag). */
    result: z.record(z.string(), z.unknown()).optional(),
    /** One line for people. */
    summary: z.string().max(1000).optional(),
    error: JobErrorSchema.optional(),
    /** Release steps still missing when the job ended `incomplete`. */
    missing: z.array(z.string().max(32)).max(16).optional(),
    /**
     * Set when another instance wrote this job's end because its own instance had died (its lease
     * expired by S3's clock): that instance, and the job (if any) whose deploy finished the release.
     */
    settledBy: z
      .object({ instance: z.string().min(1).max(200), jobId: JobIdSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();

export type JobRecord = z.infer<typeof JobRecordSchema>;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The part of a job's key that makes a plain S3 listing newest first: every base32 digit of the id
 * replaced by its complement (31 − digit), so a later id — or a later one of the same millisecond,
 * which the monotonic generator makes larger — sorts first; then the id itself, for people. Pure.
 */
export function jobKeyName(jobId: string): string {
  const inverted = [...jobId].map((c) => CROCKFORD[31 - CROCKFORD.indexOf(c)] ?? c).join('');
  return `${inverted}-${jobId}`;
}

export function jobKey(stack: string, jobId: string): string {
  return `${JOBS_PREFIX}${stack}/${jobKeyName(jobId)}.json`;
}

/** The job id of a key under `jobs/<stack>/`, or undefined for a key that is not a job record. Pure. */
export function jobIdOfKey(key: string): string | undefined {
  const match = /\/([0-9A-HJKMNP-TV-Z]{26})-([0-9A-HJKMNP-TV-Z]{26})\.json$/.exec(key);
  const id = match?.[2];
  return id !== undefined && match?.[1] === jobKeyName(id).slice(0, 26) ? id : undefined;
}
