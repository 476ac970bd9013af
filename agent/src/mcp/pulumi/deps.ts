import type { CloudFrontInvalidator } from '../../cdn/cloudfront-invalidator.js';
import type { AutomationDeps } from './backends/automation.js';
import type { OutputsBackend } from './backends/types.js';
import type { ToolLog } from './result.js';
import type { ReadText } from './stack-ref.js';

/** Everything the tools touch, injected (tests pass fakes; bin.ts passes the real ones). */
export interface PulumiToolDeps {
  /** Where stack outputs come from (state, cloud or automation). */
  outputs: OutputsBackend;
  /** The Automation API, for preview and up (and the automation outputs backend). */
  automation: AutomationDeps;
  /** The hosting project: stacks named without a project (and without a workDir project) belong to it. */
  project: string;
  /** Whether `showSecrets` may reveal secret outputs. */
  allowSecrets: boolean;
  /**
   * An invalidator bound to one distribution (the stack's `distributionId`, never the caller's). May
   * resolve later: the server loads the CloudFront SDK on the first call that needs it.
   */
  invalidatorFor: (distributionId: string) => CloudFrontInvalidator | Promise<CloudFrontInvalidator>;
  /** Reads `<workDir>/Pulumi.yaml`. */
  readText: ReadText;
  log: ToolLog;
}
