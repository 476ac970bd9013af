import type { GitHubBackend } from './backend.js';
import type { ToolLog } from './result.js';

/** Everything the tools use, injected by createServer: the backend, the clock and a stderr logger. */
export interface GitHubToolDeps {
  backend: GitHubBackend;
  /** The clock for `next_deploy_tag` without a date. */
  now: () => Date;
  log: ToolLog;
  /** Redacts secret-shaped strings in repository content before it is returned (audit/redact.ts). */
  redact: (text: string) => string;
}
