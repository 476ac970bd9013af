import {
  MAX_HEALTH_FAILURES,
  MAX_SUBJECT_LENGTH,
  RELEASE_STEPS,
  type ReleaseFailure,
  type ReleaseRecord,
  type ReleaseStep,
  type ReleaseSteps,
  type StepState,
} from './schemas.js';

/**
 * The release journal as plain data: a record's steps, what is missing, and how the record moves from
 * `pending` to `complete` or `rolled_back`. No I/O here; pipeline.ts writes what these functions return.
 */

export function noSteps(): ReleaseSteps {
  const pending: StepState = { done: false, at: null };
  return {
    copied: { ...pending },
    invalidated: { ...pending },
    verified: { ...pending },
    tagged: { ...pending },
    pruned: { ...pending },
    published: { ...pending },
  };
}

/** The record with `step` done at `at` (a note says why it needed no action). */
export function markStep(record: ReleaseRecord, step: ReleaseStep, at: Date, note?: string): ReleaseRecord {
  const { failure, ...rest } = record;
  const keepFailure = failure !== undefined && failure.step !== step;
  return {
    ...rest,
    ...(keepFailure ? { failure } : {}),
    steps: {
      ...record.steps,
      [step]: { done: true, at: at.toISOString(), ...(note === undefined ? {} : { note }) },
    },
  };
}

/** Steps not yet done, in the order the engine runs them. */
export function missingSteps(record: Pick<ReleaseRecord, 'steps'>): ReleaseStep[] {
  return RELEASE_STEPS.filter((step) => !record.steps[step].done);
}

export function withFailure(
  record: ReleaseRecord,
  failure: Omit<ReleaseFailure, 'at'>,
  at: Date,
): ReleaseRecord {
  return {
    ...record,
    failure: {
      step: failure.step,
      code: failure.code.slice(0, 64),
      message: failure.message.slice(0, 2000),
      at: at.toISOString(),
    },
  };
}

export function completed(record: ReleaseRecord, at: Date): ReleaseRecord {
  const { failure: _failure, ...rest } = record;
  return { ...rest, status: 'complete', finishedAt: at.toISOString() };
}

export function endedBy(
  record: ReleaseRecord,
  by: { releaseId: string; reason: 'health-check' | 'rollback' | 'superseded' },
  at: Date,
): ReleaseRecord {
  return { ...record, status: 'rolled_back', finishedAt: at.toISOString(), endedBy: by };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A commit subject as the record stores it: one line, no control characters, bounded. */
export function boundedSubject(subject: string | undefined): string | null {
  if (subject === undefined) return null;
  const clean = subject.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (clean === '') return null;
  return clean.length <= MAX_SUBJECT_LENGTH ? clean : `${clean.slice(0, MAX_SUBJECT_LENGTH - 1)}…`;
}

export function boundedHealth(health: {
  ok: boolean;
  checked: number;
  failures: ReadonlyArray<{
    path: string;
    reason: string;
    status?: number;
    contentType?: string;
    expected?: string;
  }>;
}): NonNullable<ReleaseRecord['health']> {
  return {
    ok: health.ok,
    checked: health.checked,
    failures: health.failures.slice(0, MAX_HEALTH_FAILURES).map((f) => ({
      path: f.path.slice(0, 1100),
      reason: f.reason.slice(0, 300),
      ...(f.status === undefined ? {} : { status: f.status }),
      ...(f.contentType === undefined ? {} : { contentType: f.contentType.slice(0, 256) }),
      ...(f.expected === undefined ? {} : { expected: f.expected.slice(0, 256) }),
    })),
  };
}

/** The command a person types to finish an incomplete release of `stack`. */
export function finishCommand(stack: string): string {
  return `frontendops status --finish --stack ${stack}`;
}
