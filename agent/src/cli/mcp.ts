import type { Command } from 'commander';
import type { CliContext } from './context.js';

export function registerMcpCommand(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description(
      'Run the agent itself as an MCP server (deploy_dashboard, get_deployment_status, list_deployments, rollback_dashboard): stdio, or Streamable HTTP with --http.',
    )
    .option('-s, --stack <name>', 'stack to act on (default: the only one configured)')
    .option(
      '--http <[host:]port>',
      'serve MCP over Streamable HTTP on this address (default host 127.0.0.1) instead of stdio; requires FRONTENDOPS_MCP_TOKEN',
    )
    .action(async (_options: unknown, command: Command) => {
      const { runAgentMcpServer } = await import('../mcp/agent-server/bin.js');
      await runAgentMcpServer(ctx, command.optsWithGlobals());
    });
}
