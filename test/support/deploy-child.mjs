// A deploy in a child process that stops dead at a named point of the pipeline, so a test can kill it
// there with SIGKILL (no cleanup, no unlock, no journal update): the crash the release journal exists
// for. It runs the compiled engine (agent/dist) the way `frontendops deploy` wires it, against the
// sandbox the config names.
//
//   node test/support/deploy-child.mjs '{"config":"…","commit":"…","pauseAt":"mid-copy", …}'
//
// At the pause point it prints `PAUSED <point>` on stdout and blocks its thread (Atomics.wait): no
// timer fires after that, so the lock is no longer renewed, exactly as in a process that hangs or dies.
// Points: journaled (the pending record is written, nothing copied), mid-copy (half the copies done),
// after-index (index.html copied, the record not yet updated), after-record (the record says copied),
// invalidation-wait (the invalidation was created and is being waited for), before-prune.
import { createCloudFrontClient, createS3Client } from '../../agent/dist/aws/clients.js';
import {
  createCloudFrontInvalidator,
  LOCAL_POLL_DELAY,
} from '../../agent/dist/cdn/cloudfront-invalidator.js';
import { loadConfig, selectStack } from '../../agent/dist/config/load.js';
import { runDeploy } from '../../agent/dist/deploy/pipeline.js';
import { readDeployTarget } from '../../agent/dist/deploy/stack-target.js';

const args = JSON.parse(process.argv[2] ?? '{}');
const POINTS = [
  'journaled',
  'mid-copy',
  'after-index',
  'after-record',
  'invalidation-wait',
  'before-prune',
  'none',
];
if (!POINTS.includes(args.pauseAt)) throw new Error(`pauseAt must be one of ${POINTS.join(', ')}`);

function pause(point) {
  if (args.pauseAt !== point) return;
  // stdout to a pipe is synchronous on Linux: the parent sees this line before the thread blocks.
  process.stdout.write(`PAUSED ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

const loaded = await loadConfig(args.config);
const stack = selectStack(loaded.config, args.stack ?? 'dashboard-hosting-prod');
const target = await readDeployTarget(stack);
const s3 = createS3Client(stack.aws);
const cloudfront = createCloudFrontInvalidator({
  client: createCloudFrontClient(stack.aws),
  distributionId: target.outputs.distributionId,
  poll: LOCAL_POLL_DELAY,
});
const invalidator = {
  async invalidate(paths, options) {
    if (args.pauseAt !== 'invalidation-wait') return cloudfront.invalidate(paths, options);
    await cloudfront.invalidate(paths, { ...options, wait: false });
    pause('invalidation-wait');
    throw new Error('unreachable');
  },
};

let copyTotal = 0;
const report = await runDeploy(
  {
    s3,
    invalidator,
    attemptTimeoutMs: 10_000,
    onEvent: (event) => {
      if (event.kind === 'release_journaled') pause('journaled');
    },
    onProgress: (event) => {
      if (event.step === 'copy') {
        copyTotal = event.total;
        if (event.phase !== 'index' && event.done >= Math.ceil(copyTotal / 2)) pause('mid-copy');
        if (event.phase === 'index' && event.done === copyTotal) pause('after-index');
      }
      if (event.step === 'invalidate') pause('after-record');
      if (event.step === 'prune') pause('before-prune');
    },
  },
  {
    stack: stack.name,
    commit: args.commit,
    sync: target.sync,
    stackBuckets: target.buckets,
    url: target.outputs.url,
    trigger: 'cli',
    requestedBy: args.requestedBy ?? 'crashing-deployer',
    dryRun: false,
    keepReleases: args.keepReleases ?? loaded.config.keepReleases,
    concurrency: args.concurrency ?? 4,
    lockTtlSeconds: args.lockTtlSeconds ?? 5,
    cacheRules: [],
    invalidation: { collapseAbove: 25, maxWaitSeconds: 30 },
  },
);
process.stdout.write(`DONE ${JSON.stringify({ status: report.status, releaseId: report.releaseId })}\n`);
s3.destroy();
