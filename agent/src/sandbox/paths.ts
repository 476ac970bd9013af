import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the agent package and the repository live, found from this module's own location. The module sits at
 * `agent/src/sandbox/` when run from source (vitest) and at `agent/dist/sandbox/` when compiled: two levels
 * below the package either way.
 */
export const AGENT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = join(AGENT_ROOT, '..');
export const SANDBOX_RUNTIME_DIR = join(AGENT_ROOT, 'sandbox-runtime');

/** True when running the TypeScript sources (vitest) rather than the compiled `dist`. */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');
