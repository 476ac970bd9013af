import { z } from 'zod';

/**
 * Tool input and output schemas. Inputs check types only: value rules (stack names, paths, limits) are
 * checked by the tool so that a refusal carries an error code (a schema failure carries none).
 */

const workDir = z
  .string()
  .min(1)
  .describe('The working directory of the program (the folder holding Pulumi.yaml).');
/** Optional with the official server's default, so either server accepts the same calls. */
const stackName = z
  .string()
  .min(1)
  .default('dev')
  .describe("The associated stack name (`stack`, `org/stack` or `org/project/stack`). Defaults to 'dev'.");

export const StackOutputInput = {
  workDir,
  stackName,
  outputName: z.string().min(1).optional().describe('The specific stack output name to retrieve.'),
  showSecrets: z
    .boolean()
    .default(false)
    .describe(
      'Reveal secret outputs in plaintext (only when the server env sets FRONTENDOPS_PULUMI_ALLOW_SECRETS=true).',
    ),
};

export const StackOutputOutput = {
  stackName: z.string(),
  outputs: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Every output, when no outputName was asked for.'),
  outputName: z.string().optional(),
  value: z.unknown().optional().describe('The asked-for output. Secrets read "[secret]" unless revealed.'),
};

const hostingStackName = z
  .string()
  .min(1)
  .describe(
    'The hosting stack (its distributionId output names the distribution), e.g. dashboard-hosting-prod.',
  );

const InvalidationStatus = z.enum(['InProgress', 'Completed']);

export const InvalidateCdnInput = {
  stackName: hostingStackName,
  paths: z
    .array(z.string())
    .describe(
      'Paths to invalidate, each starting with "/"; "*" only at the end; at most 3,000 paths and 15 wildcards.',
    ),
  wait: z
    .boolean()
    .default(false)
    .describe('Return only once CloudFront reports the invalidation Completed.'),
  maxWaitSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(600)
    .describe('With wait: fail with INVALIDATION_TIMEOUT after this many seconds.'),
};

export const InvalidateCdnOutput = {
  invalidationId: z.string(),
  status: InvalidationStatus,
  paths: z
    .array(z.string())
    .describe('The paths sent, after removing duplicates and paths a wildcard covers.'),
};

export const GetInvalidationInput = {
  stackName: hostingStackName,
  invalidationId: z.string().min(1).describe('An id returned by invalidate_cdn.'),
};

export const GetInvalidationOutput = {
  invalidationId: z.string(),
  status: InvalidationStatus,
  paths: z.array(z.string()),
  createTime: z.string().describe('ISO 8601'),
};

export const PreviewInput = { workDir, stackName };

const changes = z
  .record(z.string(), z.number())
  .describe('Resource counts by operation: create, update, delete, same, …');

export const PreviewOutput = { stackName: z.string(), changes };

export const UpInput = { workDir, stackName };

export const UpOutput = {
  stackName: z.string(),
  result: z.string().describe('succeeded, failed or in-progress, as Pulumi reports the update.'),
  changes,
  outputs: z.record(z.string(), z.unknown()).describe('Stack outputs after the update; secrets masked.'),
};

export const RefreshInput = { workDir, stackName };

export const RefreshOutput = {
  stackName: z.string(),
  result: z.string().describe('succeeded, failed or in-progress, as Pulumi reports the refresh.'),
  changes: changes.describe('Resources whose recorded state changed (update, delete) or did not (same).'),
};
