import type { Answer } from '../../agent/dispatch.js';
import type { HistoryEntry } from '../../agent/flow.js';
import type { DeployArgs, RollbackArgs } from '../../agent/guarded.js';
import type { ProgressEvent } from '../../deploy/pipeline.js';
import type { DeploymentRegistry } from './deployments.js';

/**
 * What the agent server's tools need; the bin wires them to a Session, tests to fakes. Shared by every
 * MCP session of one process (over HTTP each session has its own McpServer on these same deps).
 */
export interface AgentServerDeps {
  deployments: DeploymentRegistry;
  /** A guarded deploy (trigger `mcp`); `requester` names the MCP client that asked. */
  deploy(args: DeployArgs, requester: string, onProgress: (e: ProgressEvent) => void): Promise<Answer>;
  rollback(args: RollbackArgs, requester: string, onProgress: (e: ProgressEvent) => void): Promise<Answer>;
  history(limit: number, requester: string): Promise<HistoryEntry[]>;
}

/** A tool's view: the shared deps plus who is calling, from this session's `initialize`. */
export interface AgentToolDeps extends AgentServerDeps {
  requester(): string;
}
