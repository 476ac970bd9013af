import { execFile } from 'node:child_process';
import { access, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Promela model of the lock, fencing and release-journal protocol (model/deploy-protocol.pml),
 * checked exhaustively by spin: the model passes, and the variants with a protocol rule removed fail
 * with a counterexample trail. docs/protocol.md describes the model and these runs.
 */
const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../../..');
const model = join(repo, 'model/deploy-protocol.pml');
const MODEL_FILE = 'deploy-protocol.pml';
// Generous: these runs take seconds alone, more on a machine shared with other test files.
const RUN_TIMEOUT_MS = 600_000;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'frontendops-spin-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface Verification {
  dir: string;
  output: string;
  errors: number;
}

/** spin -a, gcc, ./pan in a directory of its own; returns pan's report. */
async function verify(
  name: string,
  options: { defines?: string[]; cflags?: string[]; panArgs?: string[] },
): Promise<Verification> {
  const dir = join(scratch, name);
  await run('mkdir', ['-p', dir]);
  await copyFile(model, join(dir, MODEL_FILE));
  const defines = options.defines ?? [];
  await run('spin', ['-a', ...defines, MODEL_FILE], { cwd: dir });
  // -w: pan.c trips gcc's array-bounds heuristics on the inlines' process-indexed arrays.
  await run('gcc', ['-O2', '-w', ...(options.cflags ?? []), '-o', 'pan', 'pan.c'], { cwd: dir });
  let output: string;
  try {
    ({ stdout: output } = await run('./pan', options.panArgs ?? [], {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    // pan exits non-zero on some errors; its report is still on stdout.
    output = (error as { stdout?: string }).stdout ?? '';
  }
  const match = /errors: (\d+)/.exec(output);
  if (match === null) throw new Error(`pan printed no verdict:\n${output}`);
  return { dir, output, errors: Number(match[1]) };
}

/** Replays the counterexample trail with the same defines; returns spin's account of it. */
async function replayTrail(result: Verification, defines: string[]): Promise<string> {
  await access(join(result.dir, `${MODEL_FILE}.trail`));
  const { stdout } = await run('spin', ['-t', '-p', ...defines, MODEL_FILE], {
    cwd: result.dir,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

const SAFETY = { cflags: ['-DSAFETY', '-DCOLLAPSE'], panArgs: ['-m100000'] };

describe('the deploy protocol model (spin, exhaustive)', () => {
  it(
    'holds its safety properties: two deployers, a crash or a failed step, skewed clocks, stalls',
    async () => {
      const result = await verify('safety', SAFETY);
      expect(result.output).toContain('assertion violations\t+');
      expect(result.output).not.toContain('Search not completed');
      expect(result.errors).toBe(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'settles every started release once faults stop (releaseSettles, weak fairness)',
    async () => {
      const result = await verify('liveness', {
        defines: ['-DLIVENESS', '-DCOMMITS=1'],
        cflags: ['-DNFAIR=3', '-DCOLLAPSE'],
        panArgs: ['-a', '-f', '-m100000'],
      });
      expect(result.output).toContain('never claim         \t+ (releaseSettles)');
      expect(result.output).toContain('acceptance   cycles \t+ (fairness enabled)');
      expect(result.errors).toBe(0);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'finds the overlap when the fence is removed (-DNO_FENCING)',
    async () => {
      const defines = ['-DNO_FENCING'];
      const result = await verify('no-fencing', { ...SAFETY, defines });
      expect(result.errors).toBeGreaterThanOrEqual(1);
      expect(result.output).toContain('assertion violated noOverlappingIrreversibleSteps');
      const trail = await replayTrail(result, defines);
      expect(trail).toContain('assert(noOverlappingIrreversibleSteps)');
      expect(trail).toMatch(/Error: assertion violated/);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "finds the takeover of a fresh lock when expiry is judged by the reader's clock (-DREADER_CLOCK)",
    async () => {
      const defines = ['-DREADER_CLOCK'];
      const result = await verify('reader-clock', { ...SAFETY, defines });
      expect(result.errors).toBeGreaterThanOrEqual(1);
      expect(result.output).toContain('assertion violated noOverlappingIrreversibleSteps');
      const trail = await replayTrail(result, defines);
      expect(trail).toMatch(/Error: assertion violated/);
    },
    RUN_TIMEOUT_MS,
  );
});

describe("the model's step table", () => {
  /** Rows of the header table: model step(s), then `file.ts functions…` pairs. */
  async function tableRows(): Promise<
    Array<{ steps: string[]; refs: Array<{ file: string; names: string[] }> }>
  > {
    const text = await readFile(model, 'utf8');
    const start = text.indexOf('model step');
    const end = text.indexOf('Abstractions');
    const rows = [];
    for (const line of text.slice(start, end).split('\n').slice(2)) {
      const body = line.replace(/^\s*\*\s{3}/, '');
      const cells = /^(\S.*?)\s{2,}(\S.*)$/.exec(body);
      if (cells === null) continue;
      const [, stepsCell = '', rest = ''] = cells;
      const refs: Array<{ file: string; names: string[] }> = [];
      for (const part of rest.split(/(?=(?<![\w-])[\w-]+\.ts\b)/)) {
        const file = /^([\w-]+\.ts)\b/.exec(part.trim())?.[1];
        if (file === undefined) continue;
        // camelCase identifiers name functions (S3 operations and headers are capitalised).
        const names = [...part.matchAll(/\b([a-z]+[A-Z][A-Za-z]*)\b/g)].map((m) => m[1] as string);
        refs.push({ file, names });
      }
      rows.push({ steps: stepsCell.split(',').map((s) => s.trim()), refs });
    }
    return rows;
  }

  it('names steps that exist in the model, after functions that exist in agent/src/deploy', async () => {
    const text = await readFile(model, 'utf8');
    const rows = await tableRows();
    expect(rows.length).toBeGreaterThan(25);
    for (const { steps, refs } of rows) {
      for (const step of steps) {
        const declared = new RegExp(`(^|\\s)(${step}:|inline ${step}\\(|proctype ${step}\\()`, 'm');
        expect(declared.test(text), `model step ${step}`).toBe(true);
      }
      for (const { file, names } of refs) {
        const source = await readFile(join(repo, 'agent/src/deploy', file), 'utf8');
        for (const name of names) expect(source, `${name} in ${file}`).toContain(name);
      }
    }
  });
});
