import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CommandExit } from './output.js';

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'Check the config, both MCP servers, stack outputs, S3, CloudFront and GitHub; print latencies.',
    )
    .option('-s, --stack <name>', 'stack to check (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const { runDoctor } = await import('../agent/doctor.js');
      const code = await runDoctor(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
