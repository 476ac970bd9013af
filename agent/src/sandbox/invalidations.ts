import { randomInt } from 'node:crypto';

/**
 * CloudFront's invalidation limits per distribution
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-invalidations).
 */
export const MAX_FILE_PATHS_IN_PROGRESS = 3000;
export const MAX_WILDCARD_PATHS_IN_PROGRESS = 15;

export type InvalidationStatus = 'InProgress' | 'Completed';

export interface Invalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
  createTime: Date;
  status: InvalidationStatus;
}

/** A CloudFront API error: `type` is Sender (4xx) or Receiver (5xx). */
export interface CloudFrontErrorSpec {
  status: number;
  code: string;
  message: string;
}

export type CreateResult =
  | { ok: true; invalidation: Invalidation; created: boolean }
  | { ok: false; error: CloudFrontErrorSpec };

export interface InvalidationStoreOptions {
  /** InProgress → Completed after this many milliseconds. */
  delayMs: number;
  /** Called once per invalidation, when it completes: purge that distribution's edge cache for these paths. */
  onComplete: (paths: readonly string[], distributionId: string) => void;
  now?: () => Date;
  newId?: () => string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** CloudFront-style ids: a letter prefix and 13 upper-case letters or digits (`I2J0I21PCUYOIK`). */
export function cloudFrontStyleId(prefix: string, length = 14): string {
  let id = prefix;
  while (id.length < length) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

const isWildcard = (path: string) => path.endsWith('*');

/**
 * Validates invalidation paths as CloudFront does: each starts with `/`, a `*` may only end a path, and
 * the batch is not empty. Returns the error, or undefined when the paths are acceptable.
 */
export function validateInvalidationPaths(paths: readonly string[]): CloudFrontErrorSpec | undefined {
  if (paths.length === 0) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: 'The invalidation batch must contain at least one path.',
    };
  }
  const bad = paths.find((p) => !p.startsWith('/') || p.slice(0, -1).includes('*') || p.length > 4000);
  if (bad !== undefined) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: `Your request contains one or more invalid invalidation paths: ${bad}`,
    };
  }
  return undefined;
}

/** The invalidations of every distribution of the sandbox, with their InProgress → Completed lifecycle. */
export class InvalidationStore {
  private readonly byDistribution = new Map<string, Invalidation[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly options: InvalidationStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? (() => cloudFrontStyleId('I'));
  }

  create(distributionId: string, callerReference: string, paths: readonly string[]): CreateResult {
    this.settleDue();
    const list = this.byDistribution.get(distributionId) ?? [];
    const previous = list.find((inv) => inv.callerReference === callerReference);
    if (previous !== undefined) {
      // Same CallerReference: the same batch is an idempotent retry, a different one is an error.
      const same = previous.paths.length === paths.length && previous.paths.every((p, i) => p === paths[i]);
      if (same) return { ok: true, invalidation: { ...previous }, created: false };
      return {
        ok: false,
        error: {
          status: 409,
          code: 'InvalidationBatchAlreadyExists',
          message: 'The CallerReference was already used for an invalidation batch with different paths.',
        },
      };
    }
    const invalid = validateInvalidationPaths(paths);
    if (invalid !== undefined) return { ok: false, error: invalid };

    const files = paths.filter((p) => !isWildcard(p)).length;
    const wildcards = paths.length - files;
    if (files > MAX_FILE_PATHS_IN_PROGRESS) {
      return {
        ok: false,
        error: {
          status: 413,
          code: 'BatchTooLarge',
          message: `Invalidation batch specified is too large: at most ${MAX_FILE_PATHS_IN_PROGRESS} file paths.`,
        },
      };
    }
    const inProgress = list.filter((inv) => inv.status === 'InProgress').flatMap((inv) => inv.paths);
    const filesInProgress = inProgress.filter((p) => !isWildcard(p)).length;
    const wildcardsInProgress = inProgress.length - filesInProgress;
    if (
      filesInProgress + files > MAX_FILE_PATHS_IN_PROGRESS ||
      wildcardsInProgress + wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS
    ) {
      return {
        ok: false,
        error: {
          status: 400,
          code: 'TooManyInvalidationsInProgress',
          message: `You have exceeded the maximum number of allowable InProgress invalidation batch requests (${MAX_FILE_PATHS_IN_PROGRESS} file paths or ${MAX_WILDCARD_PATHS_IN_PROGRESS} wildcard paths per distribution).`,
        },
      };
    }

    const invalidation: Invalidation = {
      id: this.newId(),
      distributionId,
      callerReference,
      paths: [...paths],
      createTime: this.now(),
      status: 'InProgress',
    };
    list.push(invalidation);
    this.byDistribution.set(distributionId, list);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.complete(invalidation);
    }, this.options.delayMs);
    timer.unref();
    this.timers.add(timer);
    return { ok: true, invalidation: { ...invalidation }, created: true };
  }

  get(distributionId: string, id: string): Invalidation | undefined {
    this.settleDue();
    const found = this.byDistribution.get(distributionId)?.find((inv) => inv.id === id);
    return found === undefined ? undefined : { ...found };
  }

  /** Newest first, as CloudFront lists them. */
  list(distributionId: string): Invalidation[] {
    this.settleDue();
    return [...(this.byDistribution.get(distributionId) ?? [])].reverse().map((inv) => ({ ...inv }));
  }

  inProgressCount(distributionId: string): number {
    this.settleDue();
    return (this.byDistribution.get(distributionId) ?? []).filter((inv) => inv.status === 'InProgress')
      .length;
  }

  /**
   * Completes every invalidation whose delay has passed. Called before anything reads the store or the edge
   * cache, so nobody can observe `Completed` while the cache still holds purged paths, whatever the timers do.
   */
  settleDue(): void {
    const now = this.now().getTime();
    for (const list of this.byDistribution.values()) {
      for (const inv of list) {
        if (inv.status === 'InProgress' && now - inv.createTime.getTime() >= this.options.delayMs)
          this.complete(inv);
      }
    }
  }

  /** Cancels pending timers (the sandbox is stopping). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private complete(invalidation: Invalidation): void {
    if (invalidation.status === 'Completed') return;
    invalidation.status = 'Completed';
    this.options.onComplete(invalidation.paths, invalidation.distributionId);
  }
}
