import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { CopyPhase } from '../../../agent/src/deploy/cache-rules.js';
import { executeCopies } from '../../../agent/src/deploy/executor.js';
import type { PlannedCopy } from '../../../agent/src/deploy/plan.js';
import { createRequestRunner } from '../../../agent/src/deploy/requests.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { rejectionOf } from '../../support/rejection.js';

/**
 * The phase boundary before `index.html`: the fence's lock write is sent while the last HTML copies
 * are still running (`preparePhase`, once the phase's last copy has started), and `beforePhase` — after every one of them completed — still
 * decides whether `index.html` is copied.
 */

function copy(path: string, phase: CopyPhase): PlannedCopy {
  return {
    path,
    sha256: 'a'.repeat(64),
    size: 10,
    contentType: 'text/html',
    cacheControl: 'no-cache',
    phase,
    reason: 'new',
  };
}

const COPIES = [copy('docs/a.html', 'html'), copy('docs/b.html', 'html'), copy('index.html', 'index')];
const TARGET = {
  source: { bucket: 'artifacts-1', prefix: 'builds/abc/site/' },
  destination: { bucket: 'hosting-1', prefix: '' },
};

/** A client whose copies answer only when the test says so; every step is logged in order. */
function heldCopies(log: string[]) {
  const waiting = new Map<string, () => void>();
  const client = {
    send: (command: { input: { Key: string } }) => {
      const key = command.input.Key;
      log.push(`copy ${key} sent`);
      return new Promise((resolve) => {
        waiting.set(key, () => {
          log.push(`copy ${key} done`);
          resolve({ CopyObjectResult: { ETag: `"etag-${key}"` } });
        });
      });
    },
  } as unknown as S3Client;
  const answer = (key: string) => {
    const release = waiting.get(key);
    if (!release) throw new Error(`no copy of ${key} is waiting`);
    waiting.delete(key);
    release();
  };
  return { client, answer, waiting: () => [...waiting.keys()] };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function deps(
  client: S3Client,
  log: string[],
  hooks: { prepare?: () => Promise<void>; before?: () => Promise<void> },
) {
  return {
    s3: client,
    runner: createRequestRunner({ sleep: async () => undefined }),
    concurrency: 8,
    keepAlive: async () => undefined,
    preparePhase: async (phase: CopyPhase) => {
      log.push(`prepare ${phase}`);
      await hooks.prepare?.();
    },
    beforePhase: async (phase: CopyPhase) => {
      log.push(`before ${phase}`);
      if (phase === 'index') await hooks.before?.();
    },
  };
}

describe('executeCopies: the index.html phase boundary', () => {
  it('prepares the index phase once the last HTML copy has started, and copies index.html only after every HTML copy and beforePhase', async () => {
    const log: string[] = [];
    const s3 = heldCopies(log);
    const done = executeCopies(deps(s3.client, log, {}), COPIES, TARGET);
    await tick();
    expect(s3.waiting()).toEqual(['docs/a.html', 'docs/b.html']);
    // Both HTML copies are still running, and the index phase is already being prepared.
    expect(log).toContain('prepare index');
    expect(log).not.toContain('before index');
    s3.answer('docs/a.html');
    await tick();
    expect(s3.waiting()).toEqual(['docs/b.html']);
    s3.answer('docs/b.html');
    await tick();
    s3.answer('index.html');
    const etags = await done;
    expect(etags.get('index.html')).toBe('"etag-index.html"');
    const at = (line: string) => {
      expect(log).toContain(line);
      return log.indexOf(line);
    };
    expect(at('prepare index')).toBeLessThan(at('copy docs/a.html done'));
    expect(at('before index')).toBeGreaterThan(at('copy docs/a.html done'));
    expect(at('before index')).toBeGreaterThan(at('copy docs/b.html done'));
    expect(at('copy index.html sent')).toBeGreaterThan(at('before index'));
    expect(log.filter((l) => l === 'prepare index')).toHaveLength(1);
  });

  it('ignores a failed preparation: beforePhase decides, and its failure keeps index.html out', async () => {
    const log: string[] = [];
    const s3 = heldCopies(log);
    const lost = new FrontendOpsError('LOCK_LOST', 'the deploy lock was lost');
    const done = executeCopies(
      deps(s3.client, log, {
        prepare: () => Promise.reject(lost),
        before: () => Promise.reject(lost),
      }),
      COPIES,
      TARGET,
    );
    await tick();
    s3.answer('docs/a.html');
    s3.answer('docs/b.html');
    expect(await rejectionOf(done)).toBe(lost);
    expect(log).not.toContain('copy index.html sent');
  });

  it('copies index.html when only the preparation failed', async () => {
    const log: string[] = [];
    const s3 = heldCopies(log);
    const done = executeCopies(
      deps(s3.client, log, { prepare: () => Promise.reject(new Error('renewal timed out')) }),
      COPIES,
      TARGET,
    );
    await tick();
    s3.answer('docs/a.html');
    s3.answer('docs/b.html');
    await tick();
    s3.answer('index.html');
    expect((await done).size).toBe(3);
  });
});
