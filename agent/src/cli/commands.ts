import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerSandboxCommand } from './sandbox.js';

/** Each command lives in its own file and exports one `register…Command`; this list wires them up. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [registerSandboxCommand];
