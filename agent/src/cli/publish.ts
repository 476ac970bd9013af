import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, selectStack } from '../config/load.js';
import type { CliContext, GlobalOptions } from './context.js';
import { writeJson, writeLine } from './output.js';

/**
 * `frontendops publish DIR --commit SHA [--stack S]`: what the build workflow runs after `vite build`.
 * The artifacts bucket and prefix come from the stack's `syncCommand` (its source side).
 */
interface PublishFlags {
  commit?: string;
  stack?: string;
}

export function registerPublishCommand(program: Command, ctx: CliContext): void {
  program
    .command('publish')
    .description('Upload a built site as builds/<commit>/site/ with its headers, then build.json last.')
    .argument('<dir>', 'the build output folder (e.g. sophia-dashboard/dist)')
    .requiredOption('--commit <sha>', 'full 40-hex sha of the commit that was built')
    .option('--stack <name>', 'stack from the config (default: the only one)')
    .action(async (dir: string, flags: PublishFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const loaded = await loadConfig(globals.config, { cwd: ctx.cwd, env: ctx.env });
      const stack = selectStack(loaded.config, flags.stack);
      // Loaded on use: the AWS SDK costs every other command's start-up a third of a second.
      const [{ createS3Client }, { publishBuild }, { readDeployTarget }, { requesterFrom }] =
        await Promise.all([
          import('../aws/clients.js'),
          import('../deploy/publish.js'),
          import('../deploy/stack-target.js'),
          import('../agent/session.js'),
        ]);
      const target = await readDeployTarget(stack);
      const report = await publishBuild(
        {
          s3: createS3Client(stack.aws),
          now: ctx.now,
          onWait: (holder) => {
            if (!globals.json)
              ctx.stderr.write(
                `  waiting: ${holder.commit.slice(0, 7)} is being published by ${holder.owner} (since ${holder.acquiredAt})\n`,
              );
          },
        },
        {
          dir: resolve(ctx.cwd, dir),
          commit: flags.commit ?? '',
          sync: target.sync,
          stackBuckets: target.buckets,
          stack: stack.name,
          cacheRules: loaded.config.cacheRules,
          concurrency: loaded.config.concurrency,
          requiredFiles: loaded.config.requiredFiles,
          claimTtlSeconds: loaded.config.publishClaimTtlSeconds,
          requestedBy: requesterFrom(ctx.env).slice(0, 100),
        },
      );
      if (globals.json) {
        writeJson(ctx, report);
        return;
      }
      const where = `s3://${target.sync.source.bucket}/${report.manifestKey}`;
      if (report.status === 'upgraded') {
        writeLine(
          ctx,
          `Re-published ${report.files} files for ${report.commit.slice(0, 7)} and recorded their fingerprints (${where}).`,
        );
      } else if (report.status === 'unchanged') {
        writeLine(ctx, `${report.commit.slice(0, 7)} is already published with the same content (${where}).`);
      } else {
        writeLine(
          ctx,
          `Published ${report.files} files (${(report.bytes / 1024 ** 2).toFixed(1)} MB) for ${report.commit.slice(0, 7)}; ${where} written last.`,
        );
      }
    });
}
