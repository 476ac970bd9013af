import type { Answer } from '../../agent/dispatch.js';
import type { HistoryEntry } from '../../agent/flow.js';
import type { DeployArgs, RollbackArgs } from '../../agent/guarded.js';
import type { JobListPage, JobRunContext, StartJob } from '../../agent/jobs.js';
import type { JobRecord } from '../../deploy/job-schema.js';

/** The deploy jobs every instance shares (agent/jobs.ts's JobCoordinator; fakes in tests). */
export interface AgentJobs {
  readonly stacks: readonly string[];
  start(spec: StartJob): Promise<JobRecord>;
  get(jobId: string, stack?: string): Promise<JobRecord>;
  list(options: { stack?: string; limit: number; cursor?: string }): Promise<JobListPage>;
  settled(): Promise<void>;
}

/** One tool call, as the audit log records it: a request line and a result line. */
export interface ToolCallRecord {
  tool: string;
  args: Record<string, unknown>;
  requester: string;
  stack?: string;
  status: string;
  deploymentId?: string;
  code?: string;
  message?: string;
  durationMs: number;
}

/**
 * What the agent server's tools need; the bin wires them to a Session, tests to fakes. Shared by every
 * MCP session of one process (over HTTP each session has its own McpServer on these same deps).
 */
export interface AgentServerDeps {
  jobs: AgentJobs;
  /** A guarded deploy of `stack` (trigger `mcp`); `requester` names the MCP client that asked. */
  deploy(args: DeployArgs, stack: string, requester: string, job: JobRunContext): Promise<Answer>;
  rollback(args: RollbackArgs, stack: string, requester: string, job: JobRunContext): Promise<Answer>;
  history(stack: string, limit: number, requester: string): Promise<HistoryEntry[]>;
  audit(record: ToolCallRecord): Promise<void>;
  /** Monotonic milliseconds, for durations (default performance.now). */
  clock?: () => number;
}

/** A tool's view: the shared deps plus who is calling, from this session's `initialize`. */
export interface AgentToolDeps extends AgentServerDeps {
  requester(): string;
}
