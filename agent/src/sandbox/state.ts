import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkpointFilePath,
  META_YAML,
  META_YAML_KEY,
  outputsFromCheckpoint,
  renderCheckpoint,
} from '../stack/checkpoint.js';
import { HOSTING_PROJECT, HOSTING_STACK, type StackOutputs, StackOutputsSchema } from '../stack/outputs.js';

/** Fake account id of the sandbox's ARNs (the documented example account). */
export const SANDBOX_ACCOUNT_ID = '000000000000';

export interface SandboxResources {
  artifactsBucket: string;
  hostingBucket: string;
  distributionId: string;
  edgeUrl: string;
}

/** The hosting stack's outputs pointing at the sandbox. Pure. */
export function sandboxStackOutputs(resources: SandboxResources): StackOutputs {
  return {
    artifactsBucket: resources.artifactsBucket,
    hostingBucket: resources.hostingBucket,
    distributionId: resources.distributionId,
    url: resources.edgeUrl,
    syncCommand: `aws s3 sync s3://${resources.artifactsBucket}/builds/{commit}/site/ s3://${resources.hostingBucket}/ --delete`,
    invalidateCommand: `aws cloudfront create-invalidation --distribution-id ${resources.distributionId} --paths "/*"`,
    buildRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/sophia-dashboard-build`,
    deployerRoleArn: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/sophia-dashboard-deployer`,
  };
}

/** `file:///abs/dir` for a self-managed Pulumi backend directory (no trailing slash, as Pulumi prints it). */
export function fileBackendUrl(backendDir: string): string {
  return pathToFileURL(backendDir).href;
}

/**
 * Writes a Pulumi self-managed (file://) backend holding a stack of project `dashboard-hosting-prod`
 * (default: stack `dashboard-hosting-prod`) with these outputs, in the layout the Pulumi CLI uses, so the
 * pulumi MCP server's `state` backend (and `pulumi stack output` with `PULUMI_BACKEND_URL`) reads it like
 * any other. A sandbox with several stacks calls it once per stack: they share one backend, as stacks of
 * one project do.
 */
export async function writeSandboxState(
  backendDir: string,
  outputs: StackOutputs,
  now: Date,
  stack: string = HOSTING_STACK,
): Promise<void> {
  const checkpointPath = checkpointFilePath(backendDir, HOSTING_PROJECT, stack);
  await mkdir(dirname(checkpointPath), { recursive: true });
  await writeFile(join(backendDir, ...META_YAML_KEY.split('/')), META_YAML);
  await writeFile(checkpointPath, renderCheckpoint(HOSTING_PROJECT, stack, { ...outputs }, now));
}

/** The resources a persisted sandbox keeps between starts (the edge URL changes with its port). */
export type PersistedResources = Omit<SandboxResources, 'edgeUrl'>;

/**
 * The buckets and distribution recorded in an earlier sandbox's state, as `pulumi up` would find them in the
 * stack's state. Undefined when there is no state or it does not hold valid outputs (then the sandbox starts
 * with new resources).
 */
export async function readPersistedResources(
  backendDir: string,
  stack: string = HOSTING_STACK,
): Promise<PersistedResources | undefined> {
  let text: string;
  try {
    text = await readFile(checkpointFilePath(backendDir, HOSTING_PROJECT, stack), 'utf8');
  } catch {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = outputsFromCheckpoint(text);
  } catch {
    return undefined;
  }
  const parsed = StackOutputsSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { artifactsBucket, hostingBucket, distributionId } = parsed.data;
  return { artifactsBucket, hostingBucket, distributionId };
}
