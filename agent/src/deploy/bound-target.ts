import { FrontendOpsError } from '../errors.js';
import type { SyncCommand } from './sync-command.js';

/**
 * A syncCommand inside the grammar is still only trusted when it names the stack's own buckets: the
 * source must be the `artifactsBucket` output and the destination the `hostingBucket` output, all
 * three read from the same stack. A tampered or copy-pasted output can then never aim a `--delete`
 * mirror at another bucket, or swap source and destination.
 */
export interface StackBuckets {
  artifactsBucket: string;
  hostingBucket: string;
}

export interface StackBucketOutputs {
  artifactsBucket?: string | undefined;
  hostingBucket?: string | undefined;
}

const HINT =
  'The stack outputs disagree with each other: fix syncCommand (or the bucket outputs) in the Pulumi program and run `pulumi up`. Nothing was changed.';

/**
 * The stack's buckets, or SYNC_COMMAND_MISMATCH when either output is missing (an output that cannot
 * be checked is not trusted) or the syncCommand names other buckets. Pure: runs before any request.
 */
export function boundStackBuckets(
  sync: SyncCommand,
  outputs: StackBucketOutputs,
  stack: string,
): StackBuckets {
  const source = sync.source.bucket;
  const destination = sync.destination.bucket;
  const data = {
    stack,
    source,
    destination,
    artifactsBucket: outputs.artifactsBucket ?? null,
    hostingBucket: outputs.hostingBucket ?? null,
  };
  const missing = (['artifactsBucket', 'hostingBucket'] as const).filter((k) => !outputs[k]);
  if (missing.length > 0) {
    throw new FrontendOpsError(
      'SYNC_COMMAND_MISMATCH',
      `stack ${stack} exports no ${missing.join(' or ')} output, so the syncCommand (from s3://${source}, to s3://${destination}) cannot be checked against the stack's own buckets`,
      {
        hint: 'Export artifactsBucket and hostingBucket from the hosting stack and run `pulumi up`; a syncCommand that cannot be checked is refused.',
        data,
      },
    );
  }
  const artifactsBucket = outputs.artifactsBucket as string;
  const hostingBucket = outputs.hostingBucket as string;
  if (source === artifactsBucket && destination === hostingBucket) return { artifactsBucket, hostingBucket };
  const problems: string[] = [];
  if (source === hostingBucket && destination === artifactsBucket) {
    problems.push(
      `source and destination are swapped (it copies from the hostingBucket ${hostingBucket} into the artifactsBucket ${artifactsBucket})`,
    );
  } else {
    if (source !== artifactsBucket)
      problems.push(`its source bucket is ${source} but the artifactsBucket output is ${artifactsBucket}`);
    if (destination !== hostingBucket)
      problems.push(
        `its destination bucket is ${destination} but the hostingBucket output is ${hostingBucket}`,
      );
  }
  throw new FrontendOpsError(
    'SYNC_COMMAND_MISMATCH',
    `syncCommand of stack ${stack} refused: ${problems.join('; ')}`,
    { hint: HINT, data },
  );
}

/** Same check against buckets the caller already holds (the engine's own defence in depth). */
export function assertSyncBoundTo(
  sync: SyncCommand,
  buckets: StackBucketOutputs | undefined,
  stack: string,
): void {
  boundStackBuckets(sync, buckets ?? {}, stack);
}
