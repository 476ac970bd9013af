import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isProcessAlive, LOCK_FILE } from './dir-lock.js';

/**
 * What a sandbox directory says about itself, for the next start and for whoever finds its config:
 * `sandbox.json` records the ports it listened on (a persisted sandbox comes back on them, so the demo's
 * URL and the config stay valid across runs) and how it was started (so a hint can say how to start it
 * again). Kept apart from the sandbox's servers: the agent reads it to explain a dead endpoint without
 * loading the sandbox.
 */

/** Marks a directory as a sandbox's, so a restart may replace its repo/, pulumi-state/ and s3/. */
export const SANDBOX_MARKER = '.frontendops-sandbox';
export const SANDBOX_RECORD = 'sandbox.json';

const Port = z.number().int().min(1).max(65_535);

export const SandboxRecordSchema = z
  .object({
    schema: z.literal(1),
    /** Started with --persist: its world (and its ports) carry over to the next start. */
    persist: z.boolean(),
    /** Started by `frontendops demo` (npm run demo), which also deploys the dashboard. */
    demo: z.boolean(),
    ports: z.object({ s3: Port, edge: Port, cloudfront: Port }).strict(),
  })
  .strict();

export type SandboxRecord = z.infer<typeof SandboxRecordSchema>;

/** The record, or undefined when there is none or it is not one (it is then ignored, never trusted). */
export async function readSandboxRecord(dir: string): Promise<SandboxRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, SANDBOX_RECORD), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = SandboxRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (temp file + rename): a reader never sees half a record. */
export async function writeSandboxRecord(dir: string, record: SandboxRecord): Promise<void> {
  const path = join(dir, SANDBOX_RECORD);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(SandboxRecordSchema.parse(record), null, 2)}\n`);
  await rename(temp, path);
}

export interface SandboxState {
  persist: boolean;
  demo: boolean;
  /** The pid holding the directory's lock, when that process still runs. */
  runningPid?: number;
}

/**
 * How the sandbox in `dir` was started and whether it runs; undefined when `dir` is not a sandbox's.
 * A directory from before `sandbox.json` existed counts as persisted when it keeps its S3 objects.
 */
export async function sandboxState(dir: string): Promise<SandboxState | undefined> {
  if (!existsSync(join(dir, SANDBOX_MARKER))) return undefined;
  const record = await readSandboxRecord(dir);
  const pid = Number.parseInt((await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => '')).trim(), 10);
  return {
    persist: record?.persist ?? existsSync(join(dir, 's3')),
    demo: record?.demo ?? false,
    ...(isProcessAlive(pid) ? { runningPid: pid } : {}),
  };
}
