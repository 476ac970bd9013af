import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { COMMANDS } from './commands.js';
import { type CliContext, processContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit, printRedactor, reportError } from './output.js';

export { VERSION } from '../version.js';

/** The exit-code table; each answer starts with the outcome word of its row. docs/agent.md repeats it. */
export const EXIT_CODES_HELP = `
Exit codes (an answer starts with the words of its row):
  0  done            Deployed … / Rolled back … / Nothing to do … / Dry run — nothing changed
  1  failed          Failed [CODE] …  a fault (S3, CloudFront, GitHub, an MCP server, verification)
  2  bad input       Refused [CODE] …  flags, arguments, config, FRONTENDOPS_MODEL; nothing changed
  3  refused         Refused [CODE] … / Cancelled — nothing changed  a rule, a held lock, an unclear
                     request, or your own "no"; nothing changed
  4  incomplete      Incomplete [RELEASE_INCOMPLETE] …  live, but steps are missing: the output names
                     them and the command that finishes them
  5  rolled back     Rolled back [HEALTH_CHECK_FAILED] …  went live, failed its health check, and the
                     previous release was restored`;

/** One line of usage under an error, instead of the whole help. */
function usageLine(command: Command, path: string): string {
  return `Usage: ${path} ${command.usage()}  (\`${path} --help\` for more)`;
}

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
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      // Errors echo what was typed (an unknown option may be a pasted token): redacted like any answer.
      writeErr: (text) => ctx.stderr.write(printRedactor(ctx).text(text)),
    })
    .exitOverride();
  for (const register of COMMANDS) register(program, ctx);
  // A misspelt command gets commander's "(Did you mean …?)" and one line of usage, not the whole help.
  program.showSuggestionAfterError(true).showHelpAfterError(usageLine(program, 'frontendops'));
  for (const command of program.commands) {
    command
      .exitOverride()
      .configureOutput(program.configureOutput())
      .showSuggestionAfterError(true)
      .showHelpAfterError(usageLine(command, `frontendops ${command.name()}`));
  }
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
