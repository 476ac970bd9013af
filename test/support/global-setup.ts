import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Integration and e2e tests spawn the shipped binaries (`node agent/bin/*.js`), which run the compiled
 * `agent/dist`. Compile once per run so they never test stale output. `tsc -b` is incremental.
 */
export default async function setup(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'agent'],
    {
      cwd: root,
    },
  );
}
