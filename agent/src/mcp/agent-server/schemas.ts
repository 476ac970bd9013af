import { z } from 'zod';

/** Output schemas of the agent server's tools (inputs are the guarded steps' schemas, agent/guarded.ts). */

export const JobSchema = z.object({
  deploymentId: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  request: z.record(z.string(), z.unknown()),
  status: z.enum([
    'running',
    'deployed',
    'noop',
    'planned',
    'incomplete',
    'rolled_back',
    'refused',
    'cancelled',
    'failed',
  ]),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  progress: z
    .object({ step: z.string(), done: z.number(), total: z.number(), message: z.string().optional() })
    .optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  summary: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
});

export const StartedSchema = z.object({
  deploymentId: z.string().describe('Poll get_deployment_status with this id'),
  status: z.literal('running'),
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

export const ListDeploymentsOutput = z.object({
  deployments: z.array(JobSchema).describe('Deployments started by this server process, newest first'),
  releases: z.array(ReleaseEntrySchema).describe('Recorded releases of the stack, newest first'),
});
