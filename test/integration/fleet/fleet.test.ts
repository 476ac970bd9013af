import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../agent/src/sandbox/index.js';
import {
  auditedRequests,
  deployTags,
  type FleetResult,
  inspectStacks,
  runFleet,
  type StackState,
} from '../../../bench/fleet-lib.js';
import { CLI, publishSite, ROOT } from '../agent/support.js';

/**
 * Issue 13 §2, bounded for the suite: 3 agent instances (`frontendops mcp --http`, child processes reached over HTTP) and one
 * `frontendops schedule` (a per-second cron) against one sandbox with 10 stacks, 10% seeded S3 faults,
 * instance 2 killed with SIGKILL and restarted half-way, new commits arriving; then a finish pass
 * through the tools and the checks. The longer, measured run is bench/fleet.ts.
 */
const STACKS = 10;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('a fleet of agent instances over one sandbox with 10 stacks', () => {
  it('deploys every commit once per stack, loses no job, and leaves every stack serving a complete build', {
    timeout: 600_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frontendops-fleet-'));
    dirs.push(dir);
    const sandbox = await startSandbox({
      dir: join(dir, 'sandbox'),
      stacks: STACKS,
      invalidationDelayMs: 50,
    });
    let result: FleetResult;
    let states: StackState[];
    try {
      result = await runFleet({
        dir,
        cli: CLI,
        cwd: ROOT,
        sandbox,
        publish: (commit, label) => publishSite(sandbox, commit, label),
        instances: 3,
        schedulers: 1,
        durationMs: 40_000,
        faultRate: 0.1,
        seed: 13,
        mode: 'latest',
        commitEveryMs: 8_000,
        killOne: true,
        lockTtlSeconds: 5,
        clients: 4,
      });
      states = await inspectStacks(sandbox, result.stacks);
    } finally {
      await sandbox.stop();
    }
    expect(result.killed).toBe(true);
    expect(result.stacks).toHaveLength(STACKS);

    // Every stack serves a complete build, and it is the live release.
    for (const state of states) {
      expect(state.brokenAssets, state.stack).toEqual([]);
      expect(state.servedCommit, state.stack).toBe(state.liveCommit);
      expect(state.releases.length, state.stack).toBeGreaterThan(0);
    }
    // The finish pass brought every stack to the same (newest) commit.
    expect(new Set(states.map((s) => s.liveCommit)).size).toBe(1);

    // Every release is complete or rolled back; no commit was deployed twice to one stack.
    for (const state of states) {
      for (const release of state.releases)
        expect(['complete', 'rolled_back'], release.releaseId).toContain(release.status);
      const commits = state.releases.filter((r) => r.kind === 'deploy').map((r) => r.commit);
      expect(new Set(commits).size, `${state.stack}: ${commits.join(', ')}`).toBe(commits.length);
    }
    // Every complete release was tagged, and its tag names the commit it released. (Stacks that release
    // the same commit on the same day share its deploy tag: create_tag is idempotent on a commit.)
    const tags = new Map((await deployTags(sandbox.info.repoPath)).map((t) => [t.name, t.commit]));
    for (const state of states) {
      for (const release of state.releases.filter((r) => r.status === 'complete')) {
        expect(release.tag, `${state.stack} ${release.releaseId}`).toBeDefined();
        expect(tags.get(release.tag ?? ''), `${state.stack} ${release.tag}`).toBe(release.commit);
      }
    }

    // No job lost: every id a client got is readable from every instance, finished, the same everywhere.
    expect(result.jobs.length).toBeGreaterThan(STACKS);
    for (const { deploymentId, stack } of result.jobs) {
      const answers = result.finalByInstance.map((seen) => seen[deploymentId]);
      for (const answer of answers) {
        expect(answer?.stack, deploymentId).toBe(stack);
        expect(answer?.status, deploymentId).not.toBe('running');
        expect(answer?.status, deploymentId).not.toMatch(/^error/);
      }
      expect(new Set(answers.map((a) => a?.status)).size, deploymentId).toBe(1);
    }

    // Nothing lost or left running anywhere: every job of every stack (the scheduler's too) is listed
    // once, finished, and every id a client was given is among them.
    const listedIds = result.listed.map((j) => j.deploymentId);
    expect(new Set(listedIds).size).toBe(listedIds.length);
    expect(result.listed.filter((j) => j.status === 'running')).toEqual([]);
    for (const { deploymentId } of result.jobs) expect(listedIds, deploymentId).toContain(deploymentId);
    expect(result.listed.some((j) => j.trigger === 'schedule')).toBe(true);

    // Each instance's audit log has a request line for each request it answered.
    for (const [index, path] of result.auditPaths.entries()) {
      const audited = await auditedRequests(path);
      const answered: Record<string, number> = {};
      for (const call of result.calls) {
        if (call.instance === index && call.answered) answered[call.tool] = (answered[call.tool] ?? 0) + 1;
      }
      for (const [tool, count] of Object.entries(answered)) {
        expect(audited[tool] ?? 0, `${path} ${tool}`).toBeGreaterThanOrEqual(count);
      }
    }
  });
});
