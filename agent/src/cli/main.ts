import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { COMMANDS } from './commands.js';
import { type CliContext, processContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit, reportError } from './output.js';

export { VERSION } from '../version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  done, or nothing to do (the commit is already live)
  1  failure (S3, CloudFront, GitHub, an MCP server, verification)
  2  bad input (flags, arguments, config); nothing was changed
  3  refused or conflict (held lock, declined confirmation, hostile stack output, tag clash)
  4  incomplete: the release went live but some steps did not finish (the output says which and how to finish)
  5  rolled back: the release failed its health check and the previous release was restored`;

export function createProgram(ctx: CliContext): Command {
  const program = new Command('frontendops')
    .description('Deploys the Sophia dashboard to S3 + CloudFront through the pulumi and github MCP servers.')
    .version(VERSION, '-V, --version')
    .addOption(
      new Option('-c, --config <path>', 'config file (default: ./frontendops.config.json)').env(
        'FRONTENDOPS_CONFIG',
      ),
    )
    .option('--json', 'print one machine-readable JSON result')
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .exitOverride();
  for (const register of COMMANDS) register(program, ctx);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI and returns its exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: readonly string[], ctx: CliContext = processContext()): Promise<ExitCode> {
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommandExit) return error.exitCode;
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.OK;
      if (error.code === 'commander.help') return EXIT.OK;
      return EXIT.BAD_INPUT;
    }
    const json = Boolean(program.opts().json) || argv.includes('--json');
    return reportError(ctx, error, json);
  }
}
