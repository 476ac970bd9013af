import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { CommandExit } from './output.js';

export function registerChatCommand(program: Command, ctx: CliContext): void {
  program
    .command('chat')
    .description('Talk to the agent in a REPL (history with ↑/↓; Ctrl-C twice or "exit" to leave).')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const { runChat } = await import('../agent/chat.js');
      const code = await runChat(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
