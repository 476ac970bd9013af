import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import type { SandboxInfo } from '../sandbox/index.js';
import { MAX_SANDBOX_STACKS } from '../sandbox/stacks.js';
import { parseWith } from '../validation.js';
import type { CliContext, GlobalOptions } from './context.js';
import { writeJson, writeLine } from './output.js';

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Flags as typed (strings), keyed by flag name so a bad one is reported as `--fault-rate: ...`. */
const StartFlagsSchema = z.object({
  '--dir': z.string().min(1),
  '--latency-ms': integer(0, 60_000).optional(),
  '--fault-rate': z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'expected a number from 0 to 1')
    .transform(Number)
    .optional(),
  '--invalidation-delay-ms': integer(0, 3_600_000).optional(),
  '--port': integer(1, 65_533).optional(),
  '--repo-source': z.string().min(1).optional(),
  '--persist': z.boolean().optional(),
  '--stacks': integer(1, MAX_SANDBOX_STACKS).optional(),
});

interface StartOptions {
  dir: string;
  latencyMs?: string;
  faultRate?: string;
  invalidationDelayMs?: string;
  port?: string;
  repoSource?: string;
  persist?: boolean;
  stacks?: string;
}

const InstallFlagsSchema = z.object({
  '--dir': z.string().min(1).optional(),
  '--force': z.boolean().optional(),
});

async function installCommand(
  ctx: CliContext,
  options: { dir?: string; force?: boolean },
  json: boolean,
): Promise<void> {
  const flags = parseWith(
    InstallFlagsSchema,
    { '--dir': options.dir, '--force': options.force },
    'BAD_INPUT',
    'sandbox install flags',
    'Run `frontendops sandbox install --help` for the flags.',
  );
  const [{ ensureEmulatorRuntime }, { findAgentRoot }] = await Promise.all([
    import('../sandbox/runtime-install.js'),
    import('../sandbox/paths.js'),
  ]);
  const ensured = await ensureEmulatorRuntime({
    agentRoot: findAgentRoot(),
    env: ctx.env,
    cwd: ctx.cwd,
    log: (line) => ctx.stderr.write(`${line}\n`),
    ...(flags['--dir'] === undefined ? {} : { targetDir: flags['--dir'] }),
    ...(flags['--force'] === true ? { force: true } : {}),
  });
  if (json) {
    writeJson(ctx, {
      runtimeDir: ensured.dir,
      nodePath: ensured.runtime.nodePath,
      installed: ensured.installed,
    });
    return;
  }
  writeLine(
    ctx,
    `${ensured.installed ? 'Installed' : 'Already installed'}: the sandbox runtime in ${ensured.dir} (the emulator runs on ${ensured.runtime.nodePath}).`,
  );
}

function printHuman(ctx: CliContext, info: SandboxInfo, startupMs: number): void {
  const rows: Array<[string, string]> = [
    ['config', info.configPath],
    ['S3 endpoint', info.s3Endpoint],
    ['site (edge)', info.edgeUrl],
    ['CloudFront API', info.cloudfrontEndpoint],
    ['artifacts bucket', info.artifactsBucket],
    ['hosting bucket', info.hostingBucket],
    ['distribution', info.distributionId],
    ['scratch repo', info.repoPath],
    ['Pulumi state', info.pulumiBackendUrl],
  ];
  writeLine(ctx, `Sandbox ready in ${Math.round(startupMs)} ms.`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) writeLine(ctx, `  ${label.padEnd(width)}  ${value}`);
  if (info.stacks !== undefined) {
    writeLine(ctx, `  ${info.stacks.length} stacks (hosting bucket, distribution, site):`);
    const nameWidth = Math.max(...info.stacks.map((s) => s.name.length));
    for (const stack of info.stacks) {
      writeLine(
        ctx,
        `    ${stack.name.padEnd(nameWidth)}  ${stack.hostingBucket}  ${stack.distributionId}  ${stack.edgeUrl}`,
      );
    }
  }
  writeLine(ctx, `Use it with: frontendops --config ${info.configPath} <command>`);
  writeLine(ctx, 'Press Ctrl-C to stop.');
}

export function registerSandboxCommand(program: Command, ctx: CliContext): void {
  const sandbox = program
    .command('sandbox')
    .description(
      'A local stand-in for AWS (S3, CloudFront edge and API, Pulumi state, git) for the demo and tests.',
    );
  sandbox
    .command('install')
    .description(
      "Install the sandbox's S3 emulator runtime (fauxqs and a Node 24 to run it) from the npm registry, if it is not installed yet; `sandbox start` does this on first use.",
    )
    .option('--dir <dir>', 'install into this folder (then set FRONTENDOPS_SANDBOX_RUNTIME to it)')
    .option('--force', 'install again even if it is there')
    .action(async (options: { dir?: string; force?: boolean }, command: Command) => {
      await installCommand(ctx, options, Boolean(command.optsWithGlobals<GlobalOptions>().json));
    });
  sandbox
    .command('start')
    .description('Start the sandbox, write <dir>/frontendops.config.json, and run until Ctrl-C or SIGTERM.')
    .option('--dir <dir>', 'working directory of the sandbox', '.sandbox')
    .option('--latency-ms <n>', 'latency added to every S3 request (imitates a region)')
    .option(
      '--fault-rate <r>',
      'share (0..1) of S3 requests that fail with SlowDown, InternalError or a reset',
    )
    .option('--invalidation-delay-ms <n>', 'how long an invalidation stays InProgress (default 300)')
    .option(
      '--port <n>',
      "fixed ports: S3 on n, the edge on n+1, the CloudFront API on n+2, further stacks' edges on n+3… (default: free ports)",
    )
    .option('--repo-source <path>', 'a git repository to clone as the scratch repo (default: a fresh repo)')
    .option(
      '--persist',
      "keep buckets, objects, stack resources, the scratch repo's tags and the ports in --dir between starts",
    )
    .option(
      '--stacks <n>',
      `host n stacks (1 to ${MAX_SANDBOX_STACKS}, default 1), each with its own hosting bucket, distribution and site`,
    )
    .action(async (options: StartOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const flags = parseWith(
        StartFlagsSchema,
        {
          '--dir': options.dir,
          '--latency-ms': options.latencyMs,
          '--fault-rate': options.faultRate,
          '--invalidation-delay-ms': options.invalidationDelayMs,
          '--port': options.port,
          '--repo-source': options.repoSource,
          '--persist': options.persist,
          '--stacks': options.stacks,
        },
        'BAD_INPUT',
        'sandbox start flags',
        'Run `frontendops sandbox start --help` for the flags.',
      );
      const started = performance.now();
      // Loaded on use: the sandbox pulls in the AWS SDK, which every other command's start-up would pay for.
      const { startSandbox } = await import('../sandbox/index.js');
      const running = await startSandbox(
        {
          dir: resolve(ctx.cwd, flags['--dir']),
          ...(flags['--latency-ms'] === undefined ? {} : { latencyMs: flags['--latency-ms'] }),
          ...(flags['--fault-rate'] === undefined ? {} : { faultRate: flags['--fault-rate'] }),
          ...(flags['--invalidation-delay-ms'] === undefined
            ? {}
            : { invalidationDelayMs: flags['--invalidation-delay-ms'] }),
          ...(flags['--port'] === undefined ? {} : { port: flags['--port'] }),
          ...(flags['--repo-source'] === undefined
            ? {}
            : { repoSource: resolve(ctx.cwd, flags['--repo-source']) }),
          ...(flags['--persist'] === true ? { persist: true } : {}),
          ...(flags['--stacks'] === undefined ? {} : { stacks: flags['--stacks'] }),
        },
        // stdout is the result (one JSON line with --json); a first-time runtime install talks on stderr.
        { env: ctx.env, log: (line) => ctx.stderr.write(`${line}\n`) },
      );
      const startupMs = performance.now() - started;
      // A port kept from the last run that is taken now: one line on stderr (stdout may be --json).
      for (const notice of running.notices) ctx.stderr.write(`${notice}\n`);
      if (globals.json) writeJson(ctx, running.info);
      else printHuman(ctx, running.info, startupMs);
      let off: (() => void) | undefined;
      const shutdown = new Promise<void>((done) => {
        off = ctx.onShutdown(() => done());
      });
      try {
        const failed = await Promise.race([shutdown.then(() => undefined), running.failure]);
        if (failed !== undefined) throw failed;
      } finally {
        off?.();
        await running.stop();
      }
      if (!globals.json) writeLine(ctx, 'Sandbox stopped.');
    });
}
