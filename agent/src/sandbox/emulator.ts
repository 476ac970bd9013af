import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FrontendOpsError } from '../errors.js';
import { RUNNING_FROM_SOURCE } from './paths.js';
import type { EmulatorRuntime } from './runtime.js';

/** The running S3 emulator (fauxqs in a child process). */
export interface Emulator {
  /** `http://127.0.0.1:<port>`: the raw emulator, without the sandbox's proxy layer. */
  endpoint: string;
  pid: number;
  /** Resolves when the child exits, for whatever reason (stop() included). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

const CHILD_SCRIPT = fileURLToPath(
  new URL(RUNNING_FROM_SOURCE ? './emulator-child.ts' : './emulator-child.js', import.meta.url),
);

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
const STDERR_TAIL = 4_000;

interface ChildMessage {
  type?: string;
  port?: number;
  code?: string;
  message?: string;
}

export interface StartEmulatorOptions {
  runtime: EmulatorRuntime;
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** Keep S3 buckets and objects as files in this directory (they survive a restart); default: in memory. */
  s3StorageDir?: string;
}

/**
 * Starts fauxqs as a child process and resolves once it listens. The child gets an IPC channel and exits
 * as soon as that channel closes, so even a parent killed with SIGKILL leaves no emulator behind.
 */
export async function startEmulator(options: StartEmulatorOptions): Promise<Emulator> {
  const child = spawn(
    options.runtime.nodePath,
    [
      CHILD_SCRIPT,
      options.runtime.fauxqsAppUrl,
      String(options.port ?? 0),
      ...(options.s3StorageDir === undefined ? [] : [options.s3StorageDir]),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // A minimal environment: the emulator needs nothing from ours, least of all credentials.
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
      windowsHide: true,
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const exitStatus = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = exitStatus.then(() => undefined);
  // Keep a spawn failure (ENOENT) from becoming an unhandled 'error' event.
  child.on('error', () => undefined);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`the S3 emulator did not start within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    const fail = (error: Error & { code?: string }): void => {
      clearTimeout(timer);
      cleanup();
      reject(error);
    };
    const onMessage = (message: ChildMessage): void => {
      if (message.type === 'ready' && typeof message.port === 'number') {
        clearTimeout(timer);
        cleanup();
        resolve(message.port);
      } else if (message.type === 'error') {
        fail(Object.assign(new Error(message.message ?? 'unknown error'), { code: message.code }));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(new Error(`the S3 emulator exited (${signal ?? `code ${code}`}) before it was ready`));
    };
    const onError = (error: Error): void => fail(error);
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
  }).catch(async (error: Error & { code?: string }) => {
    await stopChild(child, exited);
    if (error.code === 'EADDRINUSE') {
      throw new FrontendOpsError('SANDBOX_BUSY', `port ${options.port} is already in use`, {
        hint: 'Pick another port, or leave it out to use free ports.',
        cause: error,
      });
    }
    const detail = stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-5).join(' | ')}`;
    throw new FrontendOpsError('SANDBOX_FAILED', `${error.message}${detail}`, {
      hint: 'If this persists, reinstall the sandbox runtime: `frontendops sandbox install --force`.',
      cause: error,
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    exited: exitStatus,
    stop: () => {
      stopping ??= stopChild(child, exited);
      return stopping;
    },
  };
}

/** Asks the child to stop, then SIGTERM, then SIGKILL; resolves once it has exited. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  // No pid: the spawn itself failed, there is nothing to stop.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) {
    child.send({ type: 'stop' }, () => undefined);
  } else {
    child.kill('SIGTERM');
  }
  const timeout = (ms: number) =>
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  if ((await Promise.race([exited.then(() => 'exited' as const), timeout(STOP_GRACE_MS)])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
