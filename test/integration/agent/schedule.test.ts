import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { TickEvent, Timer } from '../../../agent/src/agent/schedule.js';
import { runScheduleCommand } from '../../../agent/src/cli/schedule.js';
import { sandboxPerFile } from '../../support/sandbox.js';
import { fetchText, headOf, publishSite, readAudit, tagsIn, testContext } from './support.js';

/** A timer the test fires by hand. */
function manualTimer(): Timer & { fire(): void } {
  let onTick: (() => void) | undefined;
  return {
    start(listener) {
      onTick = listener;
      return () => {
        onTick = undefined;
      };
    },
    next: () => undefined,
    fire: () => onTick?.(),
  };
}

const { sandbox, dir } = sandboxPerFile({ invalidationDelayMs: 50 });

describe('frontendops schedule with an injected timer and clock', () => {
  it('three ticks → one deploy and two no-ops; a tick during a slow run is skipped', async () => {
    const s = sandbox();
    const head = await headOf(s);
    await publishSite(s, head, 'scheduled');
    let t = Date.parse('2026-11-23T10:00:00Z');
    const { ctx, out, shutdown } = testContext();
    ctx.now = () => {
      t += 1000;
      return new Date(t);
    };
    const timer = manualTimer();
    const events: TickEvent[] = [];
    const waiters: Array<{ tick: number; kind: TickEvent['kind']; resolve: () => void }> = [];
    const until = (tick: number, kind: TickEvent['kind']) =>
      new Promise<void>((resolve) => {
        if (events.some((e) => e.tick === tick && e.kind === kind)) resolve();
        else waiters.push({ tick, kind, resolve });
      });
    const onEvent = (event: TickEvent) => {
      events.push(event);
      for (const w of waiters.filter((w) => w.tick === event.tick && w.kind === event.kind)) w.resolve();
    };

    const running = runScheduleCommand(
      ctx,
      { cron: '*/5 * * * *', yes: true, config: s.info.configPath },
      { timer, onEvent },
    );
    // Let the command open its session and start the timer.
    while (!out().includes('Scheduled')) await delay(10);

    for (const tick of [1, 2, 3]) {
      timer.fire();
      await until(tick, 'finished');
    }
    const outcomes = events.flatMap((e) => (e.kind === 'finished' ? [e.outcome.status] : []));
    expect(outcomes).toEqual(['deployed', 'noop', 'noop']);
    expect(await tagsIn(s)).toEqual([{ name: 'dashboard-deploy-20261123-1', sha: head }]);
    expect(JSON.parse((await fetchText(`${s.info.edgeUrl}/version.json`)).text).commit).toBe(head);

    // A slow run (every S3 request takes 300 ms): the next tick arrives while it is going.
    s.setLatency(300);
    timer.fire();
    await until(4, 'started');
    await delay(50);
    timer.fire();
    await until(4, 'finished');
    s.setLatency(0);
    expect(events.slice(-3).map((e) => `${e.kind}:${e.tick}`)).toEqual([
      'started:4',
      'skipped:5',
      'finished:4',
    ]);

    shutdown();
    expect(await running).toBe(0);
    const audit = await readAudit(dir());
    const requests = audit.filter((e) => e.kind === 'request');
    // One audited request per run, and one (the first time) to find where the stack's deploy jobs live.
    expect(requests.map((e) => (e.kind === 'request' ? [e.trigger, e.text.split(' (')[0]] : []))).toEqual([
      ['schedule', 'open the deploy jobs of dashboard-hosting-prod'],
      ['schedule', 'schedule --cron */5 * * * *'],
      ['schedule', 'schedule --cron */5 * * * *'],
      ['schedule', 'schedule --cron */5 * * * *'],
      ['schedule', 'schedule --cron */5 * * * *'],
    ]);
    expect(out()).toMatch(/run 5: skipped/);
  });

  it('refuses to start unattended without --yes or autoApprove', async () => {
    const s = sandbox();
    const { ctx } = testContext();
    await expect(
      runScheduleCommand(ctx, { cron: '*/5 * * * *', config: s.info.configPath }, { timer: manualTimer() }),
    ).rejects.toMatchObject({ code: 'REFUSED' });
  });
});
