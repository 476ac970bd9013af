import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CommandExit } from './output.js';

export function registerAskCommand(program: Command, ctx: CliContext): void {
  program
    .command('ask')
    .description(
      'Ask the agent in plain words, e.g. "Deploy the latest dashboard" ("help" lists what it can do).',
    )
    .argument('<request...>', 'the request')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (words: string[], _options: unknown, command: Command) => {
      // Loaded on use: the agent pulls in the MCP SDK and the AWS SDK, which `--version` must not pay for.
      const { runAsk } = await import('../agent/ask.js');
      const code = await runAsk(ctx, words.join(' '), command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
