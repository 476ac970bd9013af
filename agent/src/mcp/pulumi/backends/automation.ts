import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { FrontendOpsError } from '../../../errors.js';
import type { StackRef } from '../stack-ref.js';
import type { OutputsBackend, RawOutputs } from './types.js';

/**
 * The `automation` backend and `pulumi-cli-preview` / `-up` / `-refresh`: Pulumi's Automation API
 * (`LocalWorkspace`), which drives the Pulumi CLI. Everything the tools need from it is behind
 * `AutomationStack`, so tests inject a workspace factory instead of a CLI.
 */

export type AutomationOutputs = Record<string, { value: unknown; secret: boolean }>;

/** The part of `@pulumi/pulumi/automation`'s `Stack` the server uses. */
export interface AutomationStack {
  readonly name: string;
  outputs(): Promise<AutomationOutputs>;
  preview(): Promise<{ changeSummary: Record<string, number>; stdout: string }>;
  up(): Promise<{
    stdout: string;
    outputs: AutomationOutputs;
    summary: { result: string; resourceChanges?: Record<string, number> };
  }>;
  refresh(): Promise<{
    stdout: string;
    summary: { result: string; resourceChanges?: Record<string, number> };
  }>;
}

export interface WorkspaceRequest {
  /** The Pulumi project folder; undefined when only outputs are needed (no program runs). */
  workDir: string | undefined;
  project: string;
  /** As the CLI takes it: `stack` or `org/project/stack`. */
  stackName: string;
}

export type WorkspaceFactory = (request: WorkspaceRequest) => Promise<AutomationStack>;

/** Selects an existing stack (never creates one: a typo must not make a new, empty stack). */
export const localWorkspaceFactory: WorkspaceFactory = async ({ workDir, project, stackName }) => {
  // Loaded on first use: @pulumi/pulumi is large, and the state and cloud backends never need it.
  const { LocalWorkspace, Stack } = await import('@pulumi/pulumi/automation/index.js');
  if (workDir !== undefined) return LocalWorkspace.selectStack({ stackName, workDir });
  const workspace = await LocalWorkspace.create({ projectSettings: { name: project, runtime: 'nodejs' } });
  return Stack.select(stackName, workspace);
};

/** Finds an executable `pulumi` on PATH (or in ~/.pulumi/bin, where the installer puts it). */
export async function findPulumiCli(
  env: NodeJS.ProcessEnv,
  isExecutable: (path: string) => Promise<boolean> = async (path) => {
    try {
      await access(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
): Promise<string | undefined> {
  const names = process.platform === 'win32' ? ['pulumi.exe', 'pulumi.cmd'] : ['pulumi'];
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  dirs.push(join(env.PULUMI_HOME ?? join(homedir(), '.pulumi'), 'bin'));
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

export function pulumiCliMissing(operation: string): FrontendOpsError {
  return new FrontendOpsError(
    'PULUMI_CLI_MISSING',
    `${operation} needs the Pulumi CLI, and no \`pulumi\` is on PATH`,
    {
      hint:
        'Install it (https://www.pulumi.com/docs/install/: `curl -fsSL https://get.pulumi.com | sh` or `brew install pulumi`) and put ~/.pulumi/bin on PATH. ' +
        'Stack outputs need no CLI: set PULUMI_BACKEND_URL (file:// or s3://) or PULUMI_ACCESS_TOKEN for the state or cloud backend.',
    },
  );
}

const MAX_DETAIL = 2_000;

/** Maps an Automation API failure (a CommandError carrying CLI stderr) to our codes. */
export function automationFailure(error: unknown, what: string): FrontendOpsError {
  if (error instanceof FrontendOpsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const detail = message.length > MAX_DETAIL ? `${message.slice(0, MAX_DETAIL)}…` : message;
  if (/no stack named|stack .* not found|could not find stack/i.test(message)) {
    return new FrontendOpsError('STACK_NOT_FOUND', `${what}: ${detail}`, {
      hint: 'Check stackName and the workDir.',
      cause: error,
    });
  }
  return new FrontendOpsError('PULUMI_BACKEND_ERROR', `${what} failed: ${detail}`, { cause: error });
}

export function qualifiedStackName(ref: StackRef): string {
  return ref.organization === undefined ? ref.stack : `${ref.organization}/${ref.project}/${ref.stack}`;
}

export interface AutomationDeps {
  factory: WorkspaceFactory;
  /** Resolves the CLI path, undefined when missing. */
  findCli: () => Promise<string | undefined>;
}

/** Selects the stack after checking the CLI exists; the shared first step of every automation call. */
export async function selectStack(
  deps: AutomationDeps,
  operation: string,
  ref: StackRef,
  workDir: string | undefined,
): Promise<AutomationStack> {
  if ((await deps.findCli()) === undefined) throw pulumiCliMissing(operation);
  try {
    return await deps.factory({ workDir, project: ref.project, stackName: qualifiedStackName(ref) });
  } catch (error) {
    throw automationFailure(error, `selecting stack ${qualifiedStackName(ref)}`);
  }
}

export function createAutomationBackend(deps: AutomationDeps): OutputsBackend {
  return {
    kind: 'automation',
    async readOutputs(ref: StackRef, workDir: string | undefined): Promise<RawOutputs> {
      const stack = await selectStack(
        deps,
        'Reading stack outputs with the automation backend',
        ref,
        workDir,
      );
      let outputs: AutomationOutputs;
      try {
        outputs = await stack.outputs();
      } catch (error) {
        throw automationFailure(error, `reading the outputs of ${stack.name}`);
      }
      // The Automation API reads outputs with --show-secrets: every value is plaintext, flagged.
      return Object.fromEntries(
        Object.entries(outputs).map(([name, o]) => [
          name,
          { value: o.value, secret: o.secret, encrypted: false },
        ]),
      );
    },
  };
}
