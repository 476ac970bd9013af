import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AgentToolDeps } from '../deps.js';
import { registerDeployDashboardTool } from './deploy-dashboard.js';
import { registerGetDeploymentStatusTool } from './get-deployment-status.js';
import { registerListDeploymentsTool } from './list-deployments.js';
import { registerRollbackDashboardTool } from './rollback-dashboard.js';

export const AGENT_TOOL_NAMES = [
  'deploy_dashboard',
  'get_deployment_status',
  'list_deployments',
  'rollback_dashboard',
] as const;

export function registerTools(server: McpServer, deps: AgentToolDeps): void {
  registerDeployDashboardTool(server, deps);
  registerGetDeploymentStatusTool(server, deps);
  registerListDeploymentsTool(server, deps);
  registerRollbackDashboardTool(server, deps);
}
