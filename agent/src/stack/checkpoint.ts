import { join } from 'node:path';

/**
 * The on-disk layout of a Pulumi self-managed ("DIY") backend, as the Pulumi CLI writes it since
 * project-scoped stacks: `<root>/.pulumi/meta.yaml` and `<root>/.pulumi/stacks/<project>/<stack>.json`.
 * The sandbox writes this layout; the pulumi MCP server's `state` backend reads it (file:// or s3://).
 */
export function checkpointKey(project: string, stack: string): string {
  return `.pulumi/stacks/${project}/${stack}.json`;
}

export function checkpointFilePath(backendDir: string, project: string, stack: string): string {
  return join(backendDir, ...checkpointKey(project, stack).split('/'));
}

export const META_YAML_KEY = '.pulumi/meta.yaml';
export const META_YAML = 'version: 1\n';

export function stackUrn(project: string, stack: string): string {
  return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

/** A minimal versioned checkpoint (apitype.VersionedCheckpoint v3) holding only the root stack resource. */
export function renderCheckpoint(
  project: string,
  stack: string,
  outputs: Record<string, unknown>,
  now: Date,
): string {
  const checkpoint = {
    version: 3,
    checkpoint: {
      stack: `organization/${project}/${stack}`,
      latest: {
        manifest: { time: now.toISOString(), magic: '', version: 'v3.0.0' },
        resources: [
          {
            urn: stackUrn(project, stack),
            custom: false,
            type: 'pulumi:pulumi:Stack',
            outputs,
          },
        ],
      },
    },
  };
  return `${JSON.stringify(checkpoint, null, 4)}\n`;
}

/** The root stack resource's outputs from a checkpoint file's text; undefined when there is none. */
export function outputsFromCheckpoint(text: string): Record<string, unknown> | undefined {
  const parsed = JSON.parse(text) as {
    checkpoint?: { latest?: { resources?: Array<{ type?: string; outputs?: Record<string, unknown> }> } };
  };
  const resources = parsed.checkpoint?.latest?.resources ?? [];
  return resources.find((r) => r.type === 'pulumi:pulumi:Stack')?.outputs;
}
