import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toFrontendOpsError } from '../../errors.js';
import type { AgentToolDeps } from './deps.js';
import { errorResult, okResult } from './result.js';

/** What a tool's body returns: its summary and structured result, and what the audit line says. */
export interface ToolAnswer<T extends object> {
  summary: string;
  structured: T;
  status: string;
  stack?: string;
  deploymentId?: string;
  /** The started job audits itself (its own request line names the tool and the deployment id). */
  auditedByJob?: boolean;
}

/** Requests turned down before anything ran: bad input, an unknown stack, a busy stack. */
const REFUSALS: ReadonlySet<string> = new Set(['BAD_INPUT', 'STACK_NOT_CONFIGURED', 'DEPLOY_IN_PROGRESS']);

/**
 * Runs one tool call and records it in this instance's audit log (a request line and a result line),
 * whatever the outcome: every request an instance answers — polls and refusals included — leaves a
 * trace in its own log.
 */
export async function auditedToolCall<T extends object>(
  deps: AgentToolDeps,
  tool: string,
  args: Record<string, unknown>,
  body: (requester: string) => Promise<ToolAnswer<T>>,
): Promise<CallToolResult> {
  const clock = deps.clock ?? (() => performance.now());
  const started = clock();
  const requester = deps.requester();
  try {
    const answer = await body(requester);
    if (answer.auditedByJob) return okResult(answer.summary, answer.structured);
    // A failing audit write must not turn an answer into an error.
    await deps
      .audit({
        tool,
        args,
        requester,
        status: answer.status,
        durationMs: Math.round(clock() - started),
        ...(answer.stack === undefined ? {} : { stack: answer.stack }),
        ...(answer.deploymentId === undefined ? {} : { deploymentId: answer.deploymentId }),
      })
      .catch(() => undefined);
    return okResult(answer.summary, answer.structured);
  } catch (thrown) {
    const error = toFrontendOpsError(thrown);
    const deploymentId = (error.data as { deploymentId?: unknown } | undefined)?.deploymentId;
    await deps
      .audit({
        tool,
        args,
        requester,
        status: REFUSALS.has(error.code) ? 'refused' : 'failed',
        code: error.code,
        message: error.message,
        durationMs: Math.round(clock() - started),
        ...(typeof deploymentId === 'string' ? { deploymentId } : {}),
      })
      .catch(() => undefined);
    return errorResult(error);
  }
}
