import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../../agent/src/cli/context.js';
import { runCli } from '../../agent/src/cli/main.js';
import type { Sandbox } from '../../agent/src/sandbox/index.js';
import { sandboxStackOutputs, writeSandboxState } from '../../agent/src/sandbox/state.js';
import type { StackOutputs } from '../../agent/src/stack/outputs.js';

/**
 * For adversarial tests: rewrite the sandbox's Pulumi state so the hosting stack exports hostile
 * outputs (as a tampered or mistaken `pulumi up` would), and run the real CLI in process against it.
 */
export function sandboxOutputs(sandbox: Sandbox): StackOutputs {
  const { artifactsBucket, hostingBucket, distributionId, edgeUrl } = sandbox.info;
  return sandboxStackOutputs({ artifactsBucket, hostingBucket, distributionId, edgeUrl });
}

/** Writes the stack state with `overrides` applied (a key set to undefined is removed). */
export async function plantStackOutputs(
  sandbox: Sandbox,
  overrides: Partial<Record<keyof StackOutputs, string | undefined>>,
): Promise<void> {
  const outputs: Record<string, unknown> = { ...sandboxOutputs(sandbox), ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete outputs[key];
  await writeSandboxState(fileURLToPath(sandbox.info.pulumiBackendUrl), outputs as StackOutputs, new Date());
}

export async function restoreStackOutputs(sandbox: Sandbox): Promise<void> {
  await writeSandboxState(fileURLToPath(sandbox.info.pulumiBackendUrl), sandboxOutputs(sandbox), new Date());
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `frontendops --config <sandbox config> ...args`, in process, no terminal. */
export async function sandboxCli(
  sandbox: Sandbox,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; configPath?: string } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += String(c);
  });
  stderr.on('data', (c) => {
    err += String(c);
  });
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { USER: 'adversarial-test', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    now: () => new Date(),
    isTTY: false,
    onShutdown: () => () => {},
  };
  const code = await runCli(['--config', options.configPath ?? sandbox.info.configPath, ...args], ctx);
  return { code, out, err };
}
