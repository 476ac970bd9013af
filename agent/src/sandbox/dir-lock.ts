import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FrontendOpsError } from '../errors.js';

/** The pid file that marks a sandbox directory as in use. */
export const LOCK_FILE = 'sandbox.pid';

export interface DirLock {
  path: string;
  release(): Promise<void>;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/sandbox.pid` with an exclusive create (link(2) fails when the file exists). A file left by a process that no longer runs is
 * stale and taken over; a live pid (this process included) means the directory is busy.
 */
export async function acquireDirLock(
  dir: string,
  pid: number = process.pid,
  alive: (pid: number) => boolean = isProcessAlive,
): Promise<DirLock> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // Write the pid to a private file and hard-link it into place: the lock appears atomically, already
    // holding its pid, so a concurrent starter never reads a half-written file and mistakes it for stale.
    const temp = join(dir, `.${LOCK_FILE}.${pid}.${attempt}`);
    await writeFile(temp, `${pid}\n`);
    try {
      await link(temp, path);
      let released = false;
      return {
        path,
        release: async () => {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const owner = Number.parseInt((await readFile(path, 'utf8').catch(() => '')).trim(), 10);
    if (alive(owner)) {
      throw new FrontendOpsError('SANDBOX_BUSY', `a sandbox is already running in ${dir} (pid ${owner})`, {
        hint: `Stop it first (Ctrl-C in its terminal, or \`kill ${owner}\`), or start this one with another --dir.`,
        data: { dir, pid: owner },
      });
    }
    // Stale: the process that wrote it is gone.
    await rm(path, { force: true });
  }
  throw new FrontendOpsError('SANDBOX_BUSY', `could not take the sandbox lock ${path}`, {
    hint: 'Another sandbox is starting in the same directory; use another --dir.',
  });
}
