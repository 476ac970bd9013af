import type { Command } from 'commander';
import { z } from 'zod';
import { parseWith } from '../validation.js';
import type { CliContext, GlobalOptions } from './context.js';
import { CommandExit } from './output.js';

/** Flags as typed (strings), keyed by flag name so a bad one is reported as `--port: ...`. */
export const DemoFlagsSchema = z.object({
  '--repo': z.string().min(1).optional(),
  '--dir': z.string().min(1).optional(),
  '--port': z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(65_533))
    .optional(),
  '--exit': z.boolean().optional(),
});

interface DemoFlags {
  repo?: string;
  dir?: string;
  port?: string;
  exit?: boolean;
}

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'Build the newest committed dashboard, deploy it to a local sandbox through the agent, and serve it until Ctrl-C.',
    )
    .option(
      '--repo <path>',
      'the git repository to deploy from (default: the one around the current directory)',
    )
    .option('--dir <dir>', "the sandbox's directory, kept between runs (default: <repo>/.sandbox/demo)")
    .option('--port <n>', 'fixed ports: S3 on n, the dashboard (edge) on n+1, the CloudFront API on n+2')
    .option('--exit', 'stop after the deploy instead of serving (for CI)')
    .action(async (options: DemoFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const flags = parseWith(
        DemoFlagsSchema,
        { '--repo': options.repo, '--dir': options.dir, '--port': options.port, '--exit': options.exit },
        'BAD_INPUT',
        'demo flags',
        'Run `frontendops demo --help` for the flags.',
      );
      // Loaded on use: the demo pulls in the agent, the engine and the sandbox.
      const { runDemo } = await import('../demo/run.js');
      const code = await runDemo(ctx, {
        ...(flags['--repo'] === undefined ? {} : { repo: flags['--repo'] }),
        ...(flags['--dir'] === undefined ? {} : { dir: flags['--dir'] }),
        ...(flags['--port'] === undefined ? {} : { port: flags['--port'] }),
        exit: flags['--exit'] === true,
        json: Boolean(globals.json),
      });
      if (code !== 0) throw new CommandExit(code);
    });
}
