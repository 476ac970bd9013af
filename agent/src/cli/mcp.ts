import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerMcpCommand(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description(
      'Run the agent itself as a stdio MCP server (deploy_dashboard, get_deployment_status, list_deployments, rollback_dashboard).',
    )
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const { runAgentMcpServer } = await import('../mcp/agent-server/bin.js');
      await runAgentMcpServer(ctx, command.optsWithGlobals());
    });
}
