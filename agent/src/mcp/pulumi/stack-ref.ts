import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FrontendOpsError } from '../../errors.js';

/** A stack as a backend addresses it. `organization` is absent for self-managed backends. */
export interface StackRef {
  organization: string | undefined;
  project: string;
  stack: string;
}

/** Pulumi's rule for stack, project and organization names; `.`/`..` alone are refused (they are paths). */
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function checkName(value: string, what: string, input: string): void {
  if (!NAME.test(value) || value === '.' || value === '..') {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `stackName ${JSON.stringify(input.slice(0, 120))}: ${what} ${JSON.stringify(value.slice(0, 60))} is not a valid name`,
      {
        hint: 'Use `stack`, `org/stack` or `org/project/stack` with letters, digits, `-`, `_` and `.`.',
      },
    );
  }
}

/**
 * Parses `stack`, `org/stack` or `org/project/stack` (the forms the Pulumi CLI accepts); the project
 * defaults to the one of the workDir, else the server's. Every part is checked: the state backend
 * turns them into file paths and object keys. Pure.
 */
export function parseStackName(input: string, defaultProject: string): StackRef {
  const parts = input.split('/');
  if (parts.length > 3 || input === '') {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `stackName ${JSON.stringify(input.slice(0, 120))} is not stack, org/stack or org/project/stack`,
    );
  }
  const [a, b, c] = parts as [string, string?, string?];
  const ref: StackRef =
    c !== undefined
      ? { organization: a, project: b ?? '', stack: c }
      : b !== undefined
        ? { organization: a, project: defaultProject, stack: b }
        : { organization: undefined, project: defaultProject, stack: a };
  if (ref.organization !== undefined) checkName(ref.organization, 'organization', input);
  checkName(ref.project, 'project', input);
  checkName(ref.stack, 'stack', input);
  return ref;
}

export type ReadText = (path: string) => Promise<string>;

/**
 * The project name from `<workDir>/Pulumi.yaml` (or `.yml`); undefined when the folder has no project
 * file, so a caller on a machine without the stack's sources still reaches the configured project.
 */
export async function projectOfWorkDir(workDir: string, readText: ReadText): Promise<string | undefined> {
  for (const file of ['Pulumi.yaml', 'Pulumi.yml']) {
    let text: string;
    try {
      text = await readText(join(workDir, file));
    } catch {
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (cause) {
      throw new FrontendOpsError('BAD_INPUT', `${join(workDir, file)} is not valid YAML`, { cause });
    }
    const name = (parsed as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new FrontendOpsError('BAD_INPUT', `${join(workDir, file)} has no valid project name`, {
        hint: 'A Pulumi project file starts with `name: <project>`.',
      });
    }
    return name;
  }
  return undefined;
}
