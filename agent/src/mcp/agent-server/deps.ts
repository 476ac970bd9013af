import type { Answer } from '../../agent/dispatch.js';
import type { HistoryEntry } from '../../agent/flow.js';
import type { DeployArgs, RollbackArgs } from '../../agent/guarded.js';
import type { ProgressEvent } from '../../deploy/pipeline.js';
import type { Deployments } from './deployments.js';

/** What the agent server's tools need; the bin wires them to a Session, tests to fakes. */
export interface AgentServerDeps {
  deployments: Deployments;
  /** A guarded deploy (trigger `mcp`); `requester` names the MCP client that asked. */
  deploy(args: DeployArgs, requester: string, onProgress: (e: ProgressEvent) => void): Promise<Answer>;
  rollback(args: RollbackArgs, requester: string, onProgress: (e: ProgressEvent) => void): Promise<Answer>;
  history(limit: number): Promise<HistoryEntry[]>;
  /** Who is calling: the MCP client's name from its `initialize`. */
  requester(): string;
}
