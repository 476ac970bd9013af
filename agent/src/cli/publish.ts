import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { PublishOutcome } from '../agent/publish.js';
import type { SessionOptions } from '../agent/session.js';
import { FrontendOpsError } from '../errors.js';
import type { CliContext, GlobalOptions } from './context.js';
import { writeJson, writeLine } from './output.js';
import { openSession } from './support.js';

/**
 * `frontendops publish DIR --commit SHA [--stack S]`: what the build workflow runs after `vite build`.
 * The artifacts bucket and prefix come from the stack's `syncCommand` (its source side), read through the
 * pulumi MCP server as every other command reads them, so it works with any Pulumi backend.
 */
interface PublishFlags {
  commit?: string;
  stack?: string;
}

export interface PublishCommandRequest {
  config?: string;
  stack?: string;
  /** The build output folder, as typed (relative to the working directory). */
  dir: string;
  commit: string;
  /** Printing the waits for another publisher of the same commit (not in `--json`). */
  quiet: boolean;
}

/**
 * Opens a session (only the pulumi server starts: publish never calls the github server), publishes,
 * and explains an unreachable endpoint the way every other command does. `extra` is the tests' seam.
 */
export async function publishCommandThroughMcp(
  ctx: CliContext,
  request: PublishCommandRequest,
  extra: Partial<SessionOptions> = {},
): Promise<PublishOutcome> {
  const { isFullCommitSha } = await import('../deploy/sync-command.js');
  // Refused before any server starts, and without echoing it: a mistyped value may be a token.
  if (!isFullCommitSha(request.commit)) {
    throw new FrontendOpsError('BAD_INPUT', '--commit is not a full 40-hex sha', {
      hint: 'Pass the full sha of the commit that was built: `git rev-parse HEAD`.',
    });
  }
  const session = await openSession(
    ctx,
    {
      ...(request.config === undefined ? {} : { config: request.config }),
      ...(request.stack === undefined ? {} : { stack: request.stack }),
    },
    extra,
  );
  try {
    const [flowCtx, { publishThroughMcp }] = await Promise.all([
      session.startRequest({
        trigger: 'cli',
        text: `publish ${request.dir} --commit ${request.commit}`,
        // Publishing writes only a new, immutable build: nothing goes live, so nothing to confirm.
        approval: { yes: true },
        mandate: { kind: 'explicit' },
      }),
      import('../agent/publish.js'),
    ]);
    return await publishThroughMcp(flowCtx, {
      dir: resolve(ctx.cwd, request.dir),
      commit: request.commit,
      ...(request.quiet
        ? {}
        : {
            onWait: (holder) =>
              ctx.stderr.write(
                `  waiting: ${holder.commit.slice(0, 7)} is being published by ${holder.owner} (since ${holder.acquiredAt})\n`,
              ),
          }),
    });
  } catch (error) {
    throw await session.explain(error);
  } finally {
    await session.close();
  }
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
      const { report, bucket } = await publishCommandThroughMcp(ctx, {
        ...(globals.config === undefined ? {} : { config: globals.config }),
        ...(flags.stack === undefined ? {} : { stack: flags.stack }),
        dir,
        commit: flags.commit ?? '',
        quiet: Boolean(globals.json),
      });
      if (globals.json) {
        writeJson(ctx, report);
        return;
      }
      const where = `s3://${bucket}/${report.manifestKey}`;
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
