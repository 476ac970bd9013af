import { z } from 'zod';
import { DeployArgs, RollbackArgs } from '../../agent/guarded.js';
import { JOB_STATUSES } from '../../deploy/job-schema.js';

/**
 * Input and output schemas of the agent server's tools. Inputs extend the guarded steps' schemas
 * (agent/guarded.ts) with the stack; outputs describe deploy jobs as the job store keeps them.
 */

export const StackArg = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a stack name is letters, digits, ".", "_" and "-"')
  .describe('The stack to act on (stacks[].name in the config); required when several are configured.');

export const DeployToolArgs = z
  .object({ ...DeployArgs.shape, stack: StackArg.optional() })
  .strict()
  .refine((a) => !(a.commit && a.tag), 'give a commit or a tag, not both');
export type DeployToolArgs = z.infer<typeof DeployToolArgs>;

export const RollbackToolArgs = z
  .object({ ...RollbackArgs.shape, stack: StackArg.optional() })
  .strict()
  .refine((a) => !(a.toTag && a.toCommit), 'give toTag or toCommit, not both');
export type RollbackToolArgs = z.infer<typeof RollbackToolArgs>;

export const JobSchema = z.object({
  deploymentId: z.string().describe('The job id (a ULID: sortable by time)'),
  stack: z.string(),
  kind: z.enum(['deploy', 'rollback', 'finish']),
  request: z.record(z.string(), z.unknown()),
  status: z.enum(JOB_STATUSES),
  trigger: z.string(),
  requestedBy: z.string(),
  instance: z.string().describe('The agent instance that ran the job'),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  progress: z
    .object({ step: z.string(), done: z.number(), total: z.number(), message: z.string().optional() })
    .optional(),
  commit: z.string().optional(),
  releaseId: z.string().optional().describe('The release the job journaled or finished'),
  tag: z.string().optional(),
  missing: z.array(z.string()).optional().describe('Release steps still missing (status incomplete)'),
  result: z.record(z.string(), z.unknown()).optional(),
  summary: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  settledBy: z
    .object({ instance: z.string(), jobId: z.string().optional() })
    .optional()
    .describe('The instance that ended this job because its own instance had stopped'),
});
export type JobView = z.infer<typeof JobSchema>;

export const StartedSchema = z.object({
  deploymentId: z.string().describe('Poll get_deployment_status with this id'),
  status: z.literal('running'),
  stack: z.string(),
});

export const ReleaseEntrySchema = z.object({
  releaseId: z.string().optional(),
  commit: z.string(),
  tag: z.string().optional(),
  trigger: z.string().optional(),
  requestedBy: z.string().optional(),
  finishedAt: z.string().optional(),
  live: z.boolean(),
});

export const ListDeploymentsInput = z
  .object({
    limit: z.number().int().min(1).max(100).optional().describe('Jobs per page, and releases (default 10)'),
    stack: StackArg.optional().describe('Only this stack; omit for every configured stack'),
    cursor: z.string().min(1).max(200).optional().describe('The cursor of the previous page'),
  })
  .strict();

export const ListDeploymentsOutput = z.object({
  deployments: z.array(JobSchema).describe('Deploy jobs of every agent instance, newest first'),
  cursor: z.string().optional().describe('Pass back for the next page; absent on the last page'),
  releases: z
    .array(ReleaseEntrySchema)
    .describe('Recorded releases of the stack, newest first (when one stack is meant)'),
});
