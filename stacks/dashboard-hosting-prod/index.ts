import { loadHostingConfig } from './src/config.js';
import { StaticSiteHosting } from './src/static-site-hosting.js';

// The Sophia dashboard's hosting. The agent never holds bucket names or the distribution
// id in its own configuration: it reads these outputs through the pulumi MCP server.
const hosting = new StaticSiteHosting('dashboard', loadHostingConfig());

export const artifactsBucket = hosting.artifactsBucket;
export const hostingBucket = hosting.hostingBucket;
export const distributionId = hosting.distributionId;
export const url = hosting.url;
export const syncCommand = hosting.syncCommand;
export const invalidateCommand = hosting.invalidateCommand;
export const buildRoleArn = hosting.buildRoleArn;
export const deployerRoleArn = hosting.deployerRoleArn;
