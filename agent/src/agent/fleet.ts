import { AuditTrail } from '../audit/trail.js';
import type { StackConfig } from '../config/schema.js';
import { resolveStack } from './flow.js';
import { instanceName } from './instance.js';
import { s3JobBackend } from './job-backend.js';
import { JobCoordinator } from './jobs.js';
import type { Session } from './session.js';

/**
 * The deploy jobs of this process over the session's config: every configured stack, each stack's
 * jobs in its artifacts bucket (learned from its stack outputs through the pulumi MCP server, in one
 * audited request per stack and process). Shared by `frontendops mcp` and `schedule`.
 */
export function openJobs(
  session: Session,
  options: { trigger: 'mcp' | 'schedule'; env: NodeJS.ProcessEnv; now: () => Date },
): JobCoordinator {
  const instance = instanceName(options.env);
  // Artifacts buckets by stack and stack settings: a config that changed (a restarted sandbox) is looked
  // up again; a failed lookup (a server that was down) is not remembered.
  const buckets = new Map<string, Promise<string>>();
  const bucketOf = (stack: StackConfig): Promise<string> => {
    const key = JSON.stringify(stack);
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = (async () => {
        const ctx = await session.startRequest({
          trigger: options.trigger,
          text: `open the deploy jobs of ${stack.name}`,
          approval: { yes: false },
          // Reading a stack's outputs to find its jobs acts on nothing.
          mandate: { kind: 'words', act: null, why: 'finding where deploy jobs live only reads' },
          requester: `frontendops (${instance})`,
          stack: stack.name,
        });
        return (await resolveStack(ctx)).sync.source.bucket;
      })();
      buckets.set(key, bucket);
      bucket.catch(() => buckets.delete(key));
    }
    return bucket;
  };
  const backend = s3JobBackend({
    stacks: session.config.stacks.map((s) => s.name),
    now: options.now,
    openStack: async (name) => {
      const stack = session.stackFor(name);
      return { s3: session.s3For(stack), artifactsBucket: await bucketOf(stack) };
    },
  });
  return new JobCoordinator({
    backend,
    instance,
    leaseSeconds: session.config.lockTtlSeconds,
    now: options.now,
  });
}

/** One request answered without a flow (a poll, a list, a refusal): its request and result lines. */
export interface AnsweredRequest {
  trigger: 'mcp' | 'schedule';
  requester: string;
  text: string;
  stack?: string;
  status: string;
  code?: string;
  message?: string;
  durationMs: number;
}

export async function auditAnsweredRequest(session: Session, request: AnsweredRequest): Promise<void> {
  const trail = new AuditTrail(session.audit);
  await trail.write({
    kind: 'request',
    trigger: request.trigger,
    requester: request.requester,
    text: request.text,
    ...(request.stack === undefined ? {} : { stack: request.stack }),
  });
  await trail.write({
    kind: 'result',
    status: request.status,
    durationMs: request.durationMs,
    ...(request.code === undefined ? {} : { code: request.code }),
    ...(request.message === undefined ? {} : { message: request.message }),
  });
}
