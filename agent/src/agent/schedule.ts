import { Cron } from 'croner';
import { FrontendOpsError } from '../errors.js';

/**
 * `frontendops schedule`: a long-running timer that asks for "deploy the latest dashboard" on a cron
 * expression. Each run is idempotent (the flow is a no-op when the latest commit is live); runs never
 * overlap (a tick that arrives while a run is going is skipped and reported, not queued); stopping
 * waits for the run in flight. The timer itself is injected so a test can fire ticks by hand.
 */

export interface Timer {
  /** Starts calling `onTick`; returns a function that stops the timer. */
  start(onTick: () => void): () => void;
  /** The next time the timer fires, when known. */
  next(): Date | undefined;
}

/**
 * One timer shared by several loops (one per stack): each tick reaches every loop, and each loop skips
 * on its own while its stack's run is still going, so a slow stack never delays another.
 */
export function fanOutTimer(timer: Timer): (count: number) => Timer[] {
  return (count) => {
    const listeners = new Set<() => void>();
    let stop: (() => void) | undefined;
    return Array.from({ length: count }, () => ({
      start(onTick) {
        listeners.add(onTick);
        stop ??= timer.start(() => {
          for (const listener of listeners) listener();
        });
        return () => {
          listeners.delete(onTick);
          if (listeners.size === 0) {
            stop?.();
            stop = undefined;
          }
        };
      },
      next: () => timer.next(),
    }));
  };
}

/** A `Timer` on a cron expression, backed by croner (maintained, no dependencies, DST-aware). */
export function cronTimer(expression: string, options: { timezone?: string } = {}): Timer {
  let probe: Cron;
  try {
    // A paused instance validates the pattern and answers next() without scheduling anything.
    probe = new Cron(expression, {
      paused: true,
      ...(options.timezone ? { timezone: options.timezone } : {}),
    });
  } catch (cause) {
    throw new FrontendOpsError('BAD_INPUT', `--cron ${JSON.stringify(expression)} is not a cron expression`, {
      hint: 'Use five or six fields, e.g. "*/15 * * * *" (every 15 minutes) or "0 9 * * 1-5".',
      cause,
    });
  }
  return {
    start(onTick) {
      const job = new Cron(
        expression,
        { protect: true, ...(options.timezone ? { timezone: options.timezone } : {}) },
        () => onTick(),
      );
      return () => job.stop();
    },
    next: () => probe.nextRun() ?? undefined,
  };
}

export type RunStatus =
  | 'deployed'
  | 'noop'
  | 'planned'
  | 'incomplete'
  | 'rolled_back'
  | 'refused'
  | 'cancelled'
  | 'failed';

export interface RunOutcome {
  status: RunStatus;
  commit?: string;
  tag?: string;
  /** One line for the log. */
  summary: string;
  code?: string;
  /** The deploy job of this run (any instance can read it). */
  deploymentId?: string;
}

export type TickEvent =
  | { kind: 'started'; tick: number; at: Date }
  | { kind: 'finished'; tick: number; at: Date; outcome: RunOutcome }
  | { kind: 'skipped'; tick: number; at: Date; runningSince: Date }
  /** Said during a run: the config moved (a restarted sandbox) and the run follows it. */
  | { kind: 'notice'; tick: number; at: Date; message: string };

export interface ScheduleLoopOptions {
  timer: Timer;
  /** One run of the flow; must not throw (failures are outcomes), but a throw is caught too. */
  run: (tick: number) => Promise<RunOutcome>;
  onEvent: (event: TickEvent) => void;
  now: () => Date;
}

export class ScheduleLoop {
  private stopTimer: (() => void) | undefined;
  private inFlight: { promise: Promise<void>; since: Date } | undefined;
  private ticks = 0;
  private stopped = false;

  constructor(private readonly options: ScheduleLoopOptions) {}

  start(): void {
    if (this.stopTimer || this.stopped) return;
    this.stopTimer = this.options.timer.start(() => this.tick());
  }

  /** One tick: start a run unless one is going. Returns the run (or nothing when skipped). */
  tick(): Promise<void> | undefined {
    if (this.stopped) return undefined;
    this.ticks += 1;
    const tick = this.ticks;
    const at = this.options.now();
    if (this.inFlight) {
      this.options.onEvent({ kind: 'skipped', tick, at, runningSince: this.inFlight.since });
      return undefined;
    }
    this.options.onEvent({ kind: 'started', tick, at });
    const promise = this.execute(tick);
    this.inFlight = { promise, since: at };
    return promise;
  }

  private async execute(tick: number): Promise<void> {
    let outcome: RunOutcome;
    try {
      outcome = await this.options.run(tick);
    } catch (error) {
      const err = error instanceof FrontendOpsError ? error : undefined;
      outcome = {
        status: 'failed',
        summary: error instanceof Error ? error.message : String(error),
        ...(err ? { code: err.code } : {}),
      };
    }
    // Free the slot before reporting, so a tick that reacts to "finished" is not skipped.
    this.inFlight = undefined;
    this.options.onEvent({ kind: 'finished', tick, at: this.options.now(), outcome });
  }

  /** Stops the timer and waits for the run in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.inFlight?.promise;
  }
}
