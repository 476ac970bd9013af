import type { Command } from 'commander';
import { registerAskCommand } from './ask.js';
import { registerChatCommand } from './chat.js';
import type { CliContext } from './context.js';
import { registerDemoCommand } from './demo.js';
import { registerDeployCommand } from './deploy.js';
import { registerDoctorCommand } from './doctor.js';
import { registerHistoryCommand } from './history.js';
import { registerMcpCommand } from './mcp.js';
import { registerPublishCommand } from './publish.js';
import { registerRollbackCommand } from './rollback.js';
import { registerSandboxCommand } from './sandbox.js';
import { registerScheduleCommand } from './schedule.js';
import { registerStatusCommand } from './status.js';
import { registerUnlockCommand } from './unlock.js';

/**
 * Each command lives in its own file and exports one `register…Command`; this list wires them up.
 *
 * Every command file is loaded on every run (commander needs them all for `--help` and suggestions),
 * so a command file's top level imports only what registering it and checking its flags need; what its
 * handler runs (the agent core, the deploy engine, the SDKs) is imported inside the handler. Otherwise
 * `--version` would load all of it, and `status` would load it before starting its MCP servers.
 * test/unit/cli/startup-imports.test.ts holds the entry's static import graph to this.
 */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerSandboxCommand,
  registerDemoCommand,
  registerPublishCommand,
  registerDeployCommand,
  registerAskCommand,
  registerChatCommand,
  registerRollbackCommand,
  registerStatusCommand,
  registerUnlockCommand,
  registerHistoryCommand,
  registerScheduleCommand,
  registerDoctorCommand,
  registerMcpCommand,
];
