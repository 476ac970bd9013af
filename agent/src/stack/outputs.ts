import { z } from 'zod';
import { parseWith } from '../validation.js';

export const HOSTING_STACK = 'dashboard-hosting-prod';
export const HOSTING_PROJECT = 'dashboard-hosting-prod';

/** S3 bucket naming rules (general purpose buckets). */
export const BUCKET_NAME =
  /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Outputs of the hosting stack. Only the fields the agent relies on are required. */
export const StackOutputsSchema = z
  .object({
    artifactsBucket: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name'),
    hostingBucket: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name'),
    distributionId: z.string().regex(/^[A-Z0-9]{8,20}$/, 'expected a CloudFront distribution id'),
    url: z.string().url(),
    syncCommand: z.string().min(1).max(2048),
    invalidateCommand: z.string().min(1).max(2048).optional(),
    buildRoleArn: z.string().optional(),
    deployerRoleArn: z.string().optional(),
  })
  .passthrough();

export type StackOutputs = z.infer<typeof StackOutputsSchema>;

export function parseStackOutputs(value: unknown, stackName: string): StackOutputs {
  return parseWith(
    StackOutputsSchema,
    value,
    'STACK_OUTPUT_INVALID',
    `outputs of stack ${stackName}`,
    'Run `pulumi up` on the hosting stack so it exports artifactsBucket, hostingBucket, distributionId, url and syncCommand.',
  );
}
