import { isAbsolute } from 'node:path';
import type { InvalidationResult } from '../../cdn/invalidator.js';
import { FrontendOpsError } from '../../errors.js';
import { automationFailure, selectStack } from './backends/automation.js';
import type { PulumiToolDeps } from './deps.js';
import { presentOutputs, validateHostingOutputs } from './outputs.js';
import { parseStackName, projectOfWorkDir, type StackRef } from './stack-ref.js';

/**
 * What the tools do, as plain async functions of their deps and parsed input; the tool files only
 * register them and format. Each returns the structured result and the text block.
 */

export interface Answer<T extends Record<string, unknown>> {
  structured: T;
  text: string;
}

function label(ref: StackRef): string {
  return `${ref.organization === undefined ? '' : `${ref.organization}/`}${ref.project}/${ref.stack}`;
}

function checkWorkDir(workDir: string): void {
  // The workDir is resolved by the server, which does not share the client's cwd.
  if (!isAbsolute(workDir)) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `workDir ${JSON.stringify(workDir.slice(0, 200))} is not an absolute path`,
      {
        hint: 'Pass the absolute path of the folder holding Pulumi.yaml.',
      },
    );
  }
}

/** The stack a call means: project from `org/project/stack`, else the workDir's Pulumi.yaml, else the server's. */
async function resolveRef(
  deps: PulumiToolDeps,
  stackName: string,
  workDir: string | undefined,
): Promise<StackRef> {
  const project = workDir === undefined ? undefined : await projectOfWorkDir(workDir, deps.readText);
  return parseStackName(stackName, project ?? deps.project);
}

/**
 * The official server prints `name: <JSON>` lines under `Stack: <name>`; so do we (with real newlines
 * where it has a literal `\n`), so a client that parses its text parses ours.
 */
function officialText(stackName: string, lines: string[]): string {
  return `\nStack: ${stackName}\n\n${lines.length === 0 ? 'No outputs found' : lines.join('\n')}\n`;
}

export async function stackOutput(
  deps: PulumiToolDeps,
  input: { workDir: string; stackName: string; outputName?: string | undefined; showSecrets: boolean },
): Promise<
  Answer<{ stackName: string; outputs?: Record<string, unknown>; outputName?: string; value?: unknown }>
> {
  checkWorkDir(input.workDir);
  if (input.showSecrets && !deps.allowSecrets) {
    throw new FrontendOpsError('REFUSED', 'this server does not reveal secret outputs', {
      hint: 'Set FRONTENDOPS_PULUMI_ALLOW_SECRETS=true in the server env (mcpServers entry) to allow showSecrets.',
    });
  }
  const ref = await resolveRef(deps, input.stackName, input.workDir);
  const raw = await deps.outputs.readOutputs(ref, input.workDir);
  // The hosting stack is only ever served whole and valid: a hostile syncCommand is refused here too,
  // not just when something acts on it.
  if (ref.project === deps.project) validateHostingOutputs(raw, label(ref));
  const outputs = presentOutputs(raw, input.showSecrets);

  if (input.outputName !== undefined) {
    if (!Object.hasOwn(outputs, input.outputName)) {
      throw new FrontendOpsError(
        'OUTPUT_NOT_FOUND',
        `stack ${label(ref)} has no output ${JSON.stringify(input.outputName.slice(0, 100))}`,
        {
          hint: `Outputs: ${Object.keys(outputs).sort().join(', ') || '(none)'}.`,
        },
      );
    }
    const value = outputs[input.outputName];
    return {
      structured: { stackName: input.stackName, outputName: input.outputName, value },
      text: officialText(input.stackName, [`${input.outputName}: ${JSON.stringify(value)}`]),
    };
  }
  return {
    structured: { stackName: input.stackName, outputs },
    text: officialText(
      input.stackName,
      Object.entries(outputs).map(([name, value]) => `${name}: ${JSON.stringify(value)}`),
    ),
  };
}

/** The hosting stack's validated outputs; the distribution always comes from here. */
async function hostingStack(deps: PulumiToolDeps, stackName: string) {
  const ref = parseStackName(stackName, deps.project);
  const raw = await deps.outputs.readOutputs(ref, undefined);
  return validateHostingOutputs(raw, label(ref));
}

export async function invalidateCdn(
  deps: PulumiToolDeps,
  input: { stackName: string; paths: string[]; wait: boolean; maxWaitSeconds: number },
): Promise<Answer<InvalidationResult & Record<string, unknown>>> {
  const { outputs } = await hostingStack(deps, input.stackName);
  const invalidator = await deps.invalidatorFor(outputs.distributionId);
  const result = await invalidator.invalidate(input.paths, {
    wait: input.wait,
    maxWaitSeconds: input.maxWaitSeconds,
  });
  const structured = { invalidationId: result.invalidationId, status: result.status, paths: result.paths };
  return {
    structured,
    text: `Invalidation ${result.invalidationId} on ${outputs.distributionId} is ${result.status} (${result.paths.length} path${result.paths.length === 1 ? '' : 's'}).\n${JSON.stringify(structured)}`,
  };
}

export async function getInvalidation(
  deps: PulumiToolDeps,
  input: { stackName: string; invalidationId: string },
): Promise<
  Answer<{ invalidationId: string; status: 'InProgress' | 'Completed'; paths: string[]; createTime: string }>
> {
  const { outputs } = await hostingStack(deps, input.stackName);
  const details = await (await deps.invalidatorFor(outputs.distributionId)).get(input.invalidationId);
  const structured = {
    invalidationId: details.invalidationId,
    status: details.status,
    paths: details.paths,
    createTime: details.createTime,
  };
  return {
    structured,
    text: `Invalidation ${details.invalidationId} on ${outputs.distributionId} is ${details.status}.\n${JSON.stringify(structured)}`,
  };
}

function changeLines(changes: Record<string, number>): string {
  return Object.entries(changes)
    .map(([op, count]) => `${op[0]?.toUpperCase() ?? ''}${op.slice(1)}: ${count}`)
    .join('\n');
}

export async function preview(
  deps: PulumiToolDeps,
  input: { workDir: string; stackName: string },
): Promise<Answer<{ stackName: string; changes: Record<string, number> }>> {
  checkWorkDir(input.workDir);
  const ref = await resolveRef(deps, input.stackName, input.workDir);
  const stack = await selectStack(deps.automation, 'pulumi-cli-preview', ref, input.workDir);
  try {
    const result = await stack.preview();
    return {
      structured: { stackName: stack.name, changes: result.changeSummary },
      text: `\nPreview Results for stack: ${stack.name}\n\nChanges:\n${changeLines(result.changeSummary)}\n\n${result.stdout || 'No additional output'}\n`,
    };
  } catch (error) {
    throw automationFailure(error, `pulumi preview of ${stack.name}`);
  }
}

export async function up(
  deps: PulumiToolDeps,
  input: { workDir: string; stackName: string },
): Promise<
  Answer<{
    stackName: string;
    result: string;
    changes: Record<string, number>;
    outputs: Record<string, unknown>;
  }>
> {
  checkWorkDir(input.workDir);
  const ref = await resolveRef(deps, input.stackName, input.workDir);
  const stack = await selectStack(deps.automation, 'pulumi-cli-up', ref, input.workDir);
  try {
    const result = await stack.up();
    const changes = result.summary.resourceChanges ?? {};
    const outputs = presentOutputs(
      Object.fromEntries(
        Object.entries(result.outputs).map(([name, o]) => [
          name,
          { value: o.value, secret: o.secret, encrypted: false },
        ]),
      ),
      false,
    );
    return {
      structured: { stackName: stack.name, result: result.summary.result, changes, outputs },
      text: `\nDeployment Results for stack: ${stack.name}\n\nChanges:\n${changeLines(changes)}\n\n${result.stdout || 'No additional output'}\n`,
    };
  } catch (error) {
    throw automationFailure(error, `pulumi up of ${stack.name}`);
  }
}

/**
 * `pulumi refresh`: reads the real cloud resources and updates the stack's state to match. It changes
 * no resource, only what the state records about them. The text follows the official server's.
 */
export async function refresh(
  deps: PulumiToolDeps,
  input: { workDir: string; stackName: string },
): Promise<Answer<{ stackName: string; result: string; changes: Record<string, number> }>> {
  checkWorkDir(input.workDir);
  const ref = await resolveRef(deps, input.stackName, input.workDir);
  const stack = await selectStack(deps.automation, 'pulumi-cli-refresh', ref, input.workDir);
  try {
    const result = await stack.refresh();
    const changes = result.summary.resourceChanges ?? {};
    return {
      structured: { stackName: stack.name, result: result.summary.result, changes },
      text: `\nRefresh Results for stack: ${stack.name}\n\nChanges:\n${changeLines(changes)}\n\n${result.stdout || 'No additional output'}\n`,
    };
  } catch (error) {
    throw automationFailure(error, `pulumi refresh of ${stack.name}`);
  }
}
