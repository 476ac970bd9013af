import { describe, expect, it } from 'vitest';
import {
  cronTimer,
  type RunOutcome,
  ScheduleLoop,
  type TickEvent,
  type Timer,
} from '../../../agent/src/agent/schedule.js';

/** A timer the test fires by hand. */
function manualTimer(): Timer & { fire(): void; running: boolean } {
  let tick: (() => void) | undefined;
  const timer = {
    running: false,
    start(onTick: () => void) {
      tick = onTick;
      timer.running = true;
      return () => {
        timer.running = false;
        tick = undefined;
      };
    },
    next: () => undefined,
    fire() {
      tick?.();
    },
  };
  return timer;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('ScheduleLoop', () => {
  it('never overlaps runs: a tick during a slow run is skipped, not queued', async () => {
    const timer = manualTimer();
    const events: TickEvent[] = [];
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let clock = 0;
    const loop = new ScheduleLoop({
      timer,
      now: () => new Date(Date.UTC(2026, 10, 23, 10, clock++)),
      onEvent: (e) => events.push(e),
      run: async (tick): Promise<RunOutcome> => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        if (tick === 1) await gate.promise;
        running -= 1;
        return { status: tick === 1 ? 'deployed' : 'noop', summary: `run ${tick}` };
      },
    });
    loop.start();
    timer.fire(); // tick 1: starts the slow run
    timer.fire(); // tick 2: skipped
    gate.resolve();
    await loop.stop();
    expect(maxRunning).toBe(1);
    expect(events.map((e) => `${e.kind}:${e.tick}`)).toEqual(['started:1', 'skipped:2', 'finished:1']);
    expect(timer.running).toBe(false);
  });

  it('regression: a tick fired when the previous run reports "finished" starts a run instead of being skipped', async () => {
    const events: TickEvent[] = [];
    let started = 0;
    let second: Promise<void> | undefined;
    const loop: ScheduleLoop = new ScheduleLoop({
      timer: manualTimer(),
      now: () => new Date(0),
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'finished' && e.tick === 1) second = loop.tick();
      },
      run: async () => {
        started += 1;
        return { status: 'noop', summary: '' };
      },
    });
    await loop.tick();
    await second;
    expect(started).toBe(2);
    expect(events.map((e) => `${e.kind}:${e.tick}`)).toEqual([
      'started:1',
      'finished:1',
      'started:2',
      'finished:2',
    ]);
  });

  it('turns a thrown error into a failed outcome and keeps ticking', async () => {
    const timer = manualTimer();
    const outcomes: RunOutcome[] = [];
    let calls = 0;
    const loop = new ScheduleLoop({
      timer,
      now: () => new Date(0),
      onEvent: (e) => {
        if (e.kind === 'finished') outcomes.push(e.outcome);
      },
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('github unreachable');
        return { status: 'noop', summary: 'live' };
      },
    });
    await loop.tick();
    await loop.tick();
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'noop']);
    expect(outcomes[0]?.summary).toBe('github unreachable');
  });

  it('stop waits for the run in flight and ignores later ticks', async () => {
    const timer = manualTimer();
    const gate = deferred();
    let finished = false;
    const loop = new ScheduleLoop({
      timer,
      now: () => new Date(0),
      onEvent: () => {},
      run: async () => {
        await gate.promise;
        finished = true;
        return { status: 'noop', summary: '' };
      },
    });
    loop.start();
    timer.fire();
    const stopping = loop.stop();
    expect(finished).toBe(false);
    gate.resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(loop.tick()).toBeUndefined();
  });
});

describe('cronTimer', () => {
  it('rejects a malformed expression with BAD_INPUT', () => {
    expect(() => cronTimer('every five minutes')).toThrowError(/is not a cron expression/);
  });

  it('knows its next run', () => {
    const next = cronTimer('0 9 * * *', { timezone: 'UTC' }).next();
    expect(next?.getUTCHours()).toBe(9);
    expect(next?.getUTCMinutes()).toBe(0);
  });
});
