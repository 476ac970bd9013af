import { parseSyncCommand, type SyncCommand } from '../../deploy/sync-command.js';
import { parseStackOutputs, type StackOutputs } from '../../stack/outputs.js';
import type { RawOutputs } from './backends/types.js';

/** What a masked secret output reads as (the Pulumi CLI prints the same). */
export const SECRET_MASK = '[secret]';

/** Output values as a client sees them: secrets masked unless `reveal`; undecryptable ones always. */
export function presentOutputs(raw: RawOutputs, reveal: boolean): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(raw).map(([name, output]) => [
      name,
      output.secret && (!reveal || output.encrypted) ? SECRET_MASK : output.value,
    ]),
  );
}

/** Plain values for validation inside the server (never returned as such). */
function plainValues(raw: RawOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).map(([name, output]) => [name, output.value]));
}

export interface HostingStack {
  outputs: StackOutputs;
  sync: SyncCommand;
}

/**
 * The hosting stack's outputs, checked as the agent will use them: every output the agent uses present and
 * well-formed (STACK_OUTPUT_INVALID), and `syncCommand` inside the strict grammar
 * (SYNC_COMMAND_REJECTED). A stack that fails is refused before anything acts on it.
 */
export function validateHostingOutputs(raw: RawOutputs, stackLabel: string): HostingStack {
  const outputs = parseStackOutputs(plainValues(raw), stackLabel);
  return { outputs, sync: parseSyncCommand(outputs.syncCommand) };
}
