import { z } from 'zod';
import { type InvalidationResult, type Invalidator, PROBE_INVALIDATION_ID } from '../cdn/invalidator.js';
import { FrontendOpsError, isFrontendOpsError } from '../errors.js';
import { parseStackOutputResult } from '../mcp/client/stack-output.js';
import { BUCKET_NAME } from '../stack/outputs.js';
import { parseWith } from '../validation.js';
import { readAnswer } from './github.js';
import type { ToolLayer } from './tool-layer.js';

/**
 * Typed calls to the pulumi MCP server: the stack outputs the agent needs (`syncCommand`,
 * `url`) and `invalidate_cdn` as the engine's `Invalidator`. The agent never holds bucket names or a
 * distribution id: they come from these outputs or stay inside the server.
 */

/**
 * Only what the agent uses. The bucket outputs are optional here so that a stack without them is
 * refused with SYNC_COMMAND_MISMATCH (the syncCommand cannot be checked), never trusted.
 */
export const AgentStackOutputsSchema = z.looseObject({
  syncCommand: z.string().min(1).max(2048),
  artifactsBucket: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name').optional(),
  hostingBucket: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name').optional(),
  url: z.string().url().optional(),
  /** Only read when the pulumi server cannot invalidate itself (see flow.ts invalidatorFor). */
  distributionId: z
    .string()
    .regex(/^[A-Z0-9]{8,20}$/)
    .optional(),
});
export type AgentStackOutputs = z.infer<typeof AgentStackOutputsSchema>;

const InvalidationSchema = z.looseObject({
  invalidationId: z.string().min(1),
  status: z.enum(['InProgress', 'Completed']),
  paths: z.array(z.string()),
});

/** Slack on top of the invalidation's own maximum wait before the MCP call itself times out. */
const INVALIDATION_CALL_MARGIN_MS = 30_000;

export class PulumiTools {
  constructor(
    private readonly tools: ToolLayer,
    private readonly stack: { name: string; workDir: string },
  ) {}

  async stackOutputs(): Promise<AgentStackOutputs> {
    const server = this.tools.serverName('pulumi');
    const output = await this.tools.call('pulumi', 'pulumi-cli-stack-output', {
      workDir: this.stack.workDir,
      stackName: this.stack.name,
    });
    const outputs = parseStackOutputResult(output, { server, stackName: this.stack.name });
    return parseWith(
      AgentStackOutputsSchema,
      outputs,
      'STACK_OUTPUT_INVALID',
      `outputs of stack ${this.stack.name}`,
      'Run `pulumi up` on the hosting stack so it exports syncCommand and url.',
    );
  }

  /** The engine's Invalidator, backed by this server's `invalidate_cdn`. */
  invalidator(): Invalidator {
    return {
      invalidate: async (paths, options): Promise<InvalidationResult> => {
        const server = this.tools.serverName('pulumi');
        const output = await this.tools.call(
          'pulumi',
          'invalidate_cdn',
          {
            stackName: this.stack.name,
            paths: [...paths],
            wait: options.wait,
            maxWaitSeconds: options.maxWaitSeconds,
          },
          { timeoutMs: options.maxWaitSeconds * 1000 + INVALIDATION_CALL_MARGIN_MS },
        );
        const answer = readAnswer(output, InvalidationSchema, server, 'invalidate_cdn');
        if (options.wait && answer.status !== 'Completed') {
          throw new FrontendOpsError(
            'INVALIDATION_TIMEOUT',
            `invalidation ${answer.invalidationId} is still ${answer.status}`,
            {
              hint: 'Raise invalidation.maxWaitSeconds, or check the distribution in the CloudFront console.',
            },
          );
        }
        return { invalidationId: answer.invalidationId, status: answer.status, paths: answer.paths };
      },
      probe: () => this.probeCdn(),
    };
  }

  /**
   * Asks the pulumi server for an invalidation that cannot exist: "not found" means the server reached
   * CloudFront with its credentials. A server without get_invalidation cannot be asked; the deploy then
   * learns at invalidation time.
   */
  private async probeCdn(): Promise<void> {
    if (!(await this.tools.hasTool('pulumi', 'get_invalidation'))) return;
    try {
      await this.tools.call('pulumi', 'get_invalidation', {
        stackName: this.stack.name,
        invalidationId: PROBE_INVALIDATION_ID,
      });
    } catch (error) {
      if (isFrontendOpsError(error) && /INVALIDATION_NOT_FOUND/.test(`${error.code} ${error.message}`))
        return;
      throw error;
    }
  }
}
