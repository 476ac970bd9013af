import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { TickEvent, Timer } from '../../../agent/src/agent/schedule.js';
import { runChat } from '../../../agent/src/cli/chat.js';
import { runScheduleCommand } from '../../../agent/src/cli/schedule.js';
import { type Sandbox, startSandbox } from '../../../agent/src/sandbox/index.js';
import { fetchText, headOf, publishSite, testContext } from './support.js';

/**
 * Issue 11 §3: `chat` and `schedule` survive a sandbox restart. The sandbox is stopped (requests then
 * say what is down and how to start it) and started again in the same directory on new ports, which
 * rewrites the config; the next request follows the config, says so in one line, and works — S3 and
 * both MCP servers (whose environment names the endpoints) are wired anew.
 */

const dirs: string[] = [];
const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(dir: string): Promise<Sandbox> {
  const sandbox = await startSandbox({ dir, invalidationDelayMs: 50 });
  running.push(sandbox);
  return sandbox;
}

async function stop(sandbox: Sandbox): Promise<void> {
  running.splice(running.indexOf(sandbox), 1);
  await sandbox.stop();
}

async function waitFor(out: () => string, text: string, times = 1): Promise<void> {
  while (out().split(text).length - 1 < times) await delay(20);
}

/** The one line a session prints when it follows a rewritten config. */
function movedLine(before: Sandbox, after: Sandbox): string {
  return `${after.info.configPath} changed (S3 ${before.info.s3Endpoint} → ${after.info.s3Endpoint}, the CloudFront API ${before.info.cloudfrontEndpoint} → ${after.info.cloudfrontEndpoint}); reconnected from it.`;
}

describe('chat across a sandbox restart', () => {
  it('says what died, then follows the restarted sandbox to its new ports and deploys there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frontendops-reconnect-chat-'));
    dirs.push(dir);
    const first = await start(dir);
    const { ctx, out, stdin } = testContext();
    const chat = runChat(ctx, { config: first.info.configPath, yes: true });
    await waitFor(out, 'frontendops> ');
    stdin.write("what's live?\n");
    await waitFor(out, 'nothing deployed yet');

    await stop(first);
    stdin.write("what's live?\n");
    await waitFor(out, 'hint: The sandbox in');
    expect(out()).toContain(
      `Failed [ENDPOINT_UNREACHABLE]: S3 at ${first.info.s3Endpoint} refused the connection`,
    );
    expect(out()).toContain(`start it with \`frontendops sandbox start --dir ${dir}\``);

    const second = await start(dir);
    expect(second.info.s3Endpoint).not.toBe(first.info.s3Endpoint);
    const head = await headOf(second);
    await publishSite(second, head, 'after restart');
    stdin.write('deploy the latest dashboard\n');
    await waitFor(out, `Deployed ${head.slice(0, 7)}`);
    const lines = out().split('\n');
    // Exactly one line says the session followed the config, before the answer.
    expect(lines.filter((line) => line.includes('reconnected from it'))).toEqual([
      expect.stringContaining(movedLine(first, second)),
    ]);
    // Only the request made while the sandbox was down failed.
    expect(out().split('Failed [ENDPOINT_UNREACHABLE]').length - 1).toBe(1);
    // The new pulumi server invalidated the new CloudFront API and the new edge serves the release.
    expect(JSON.parse((await fetchText(`${second.info.edgeUrl}/version.json`)).text).commit).toBe(head);

    stdin.write("what's live?\n");
    await waitFor(out, `live:   ${head.slice(0, 7)}`);
    stdin.end('exit\n');
    expect(await chat).toBe(0);
    // Nothing moved since: no second notice.
    expect(out().split('reconnected from it').length - 1).toBe(1);
  });
});

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

describe('schedule across a sandbox restart', () => {
  it('logs one line that it follows the new config, and the next run deploys to the restarted sandbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frontendops-reconnect-schedule-'));
    dirs.push(dir);
    const first = await start(dir);
    await publishSite(first, await headOf(first), 'before restart');
    const { ctx, out, shutdown } = testContext();
    const timer = manualTimer();
    const events: TickEvent[] = [];
    const finished = (tick: number) =>
      (async () => {
        while (!events.some((e) => e.tick === tick && e.kind === 'finished')) await delay(20);
      })();
    const schedule = runScheduleCommand(
      ctx,
      { cron: '*/5 * * * *', yes: true, config: first.info.configPath },
      { timer, onEvent: (event) => events.push(event) },
    );
    await waitFor(out, 'Scheduled');
    timer.fire();
    await finished(1);

    await stop(first);
    const second = await start(dir);
    const head = await headOf(second);
    await publishSite(second, head, 'after restart');
    timer.fire();
    await finished(2);
    shutdown();
    expect(await schedule).toBe(0);

    const outcomes = events.flatMap((e) => (e.kind === 'finished' ? [e.outcome.status] : []));
    expect(outcomes).toEqual(['deployed', 'deployed']);
    const notices = events.flatMap((e) => (e.kind === 'notice' ? [`${e.tick}: ${e.message}`] : []));
    expect(notices).toEqual([`2: ${movedLine(first, second)}`]);
    expect(out()).toMatch(/run 2: .*reconnected from it\./);
    expect(JSON.parse((await fetchText(`${second.info.edgeUrl}/version.json`)).text).commit).toBe(head);
  });
});
