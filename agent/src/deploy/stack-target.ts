import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config/schema.js';
import { FrontendOpsError } from '../errors.js';
import { checkpointFilePath, outputsFromCheckpoint } from '../stack/checkpoint.js';
import { HOSTING_PROJECT, parseStackOutputs, type StackOutputs } from '../stack/outputs.js';
import { boundStackBuckets, type StackBuckets } from './bound-target.js';
import { parseSyncCommand, type SyncCommand } from './sync-command.js';

/**
 * The hosting stack's outputs read straight from a `file://` Pulumi state, for what only ever runs on
 * the sandbox (the demo, the benchmarks, the tests' engine harness): no MCP server to start. Every
 * command (`deploy`, `publish`, `status`, `ask`…) reads the same outputs through the pulumi MCP server
 * instead, for any backend; both go through the same strict parsers and the same bucket binding.
 */
export interface DeployTarget {
  outputs: StackOutputs;
  sync: SyncCommand;
  /** The buckets `sync` was checked against (SYNC_COMMAND_MISMATCH otherwise). */
  buckets: StackBuckets;
}

export async function readDeployTarget(
  stack: StackConfig,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<DeployTarget> {
  const backend = stack.backend;
  if (backend.kind !== 'state' || !backend.url.startsWith('file://')) {
    throw new FrontendOpsError(
      'BAD_INPUT',
      `stack ${stack.name}: this reads stack outputs from a file:// state backend only; the config has ${backend.kind === 'state' ? backend.url : `a ${backend.kind} backend`}`,
      {
        hint: 'Use a sandbox config (`frontendops sandbox start` writes one); commands such as `frontendops publish` read outputs through the pulumi MCP server for any backend.',
      },
    );
  }
  const dir = fileURLToPath(backend.url.split('?')[0] ?? backend.url);
  const path = checkpointFilePath(dir, HOSTING_PROJECT, stack.name);
  let text: string;
  try {
    text = await read(path);
  } catch (cause) {
    throw new FrontendOpsError('STACK_NOT_FOUND', `no state for stack ${stack.name} at ${path}`, {
      hint: 'Run `pulumi up` for the hosting stack (or start the sandbox) first.',
      cause,
    });
  }
  let raw: Record<string, unknown> | undefined;
  try {
    raw = outputsFromCheckpoint(text);
  } catch (cause) {
    throw new FrontendOpsError('PULUMI_BACKEND_ERROR', `the checkpoint ${path} is not JSON`, { cause });
  }
  const outputs = parseStackOutputs(raw ?? {}, stack.name);
  const sync = parseSyncCommand(outputs.syncCommand);
  return { outputs, sync, buckets: boundStackBuckets(sync, outputs, stack.name) };
}
