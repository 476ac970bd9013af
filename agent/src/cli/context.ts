import type { Writable } from 'node:stream';

/** Everything a command touches outside itself, injected so commands run in tests without a process. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => Date;
  /** True when stdout is an interactive terminal (progress bars, confirmation prompts). */
  isTTY: boolean;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  onShutdown: (listener: () => void) => () => void;
}

/** The global flags every command can read through `command.optsWithGlobals()`. */
export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export function processContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    isTTY: Boolean(process.stdout.isTTY),
    onShutdown: (listener) => {
      process.once('SIGINT', listener);
      process.once('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}
