import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The agent package's name, as its package.json spells it. */
export const PACKAGE_NAME = '@frontendops/agent';
/** The name of the repository's root package.json: its presence above the agent means "running from a clone". */
const MONOREPO_NAME = 'frontendops-monorepo';

function packageName(dir: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return typeof parsed === 'object' &&
      parsed !== null &&
      'name' in parsed &&
      typeof parsed.name === 'string'
      ? parsed.name
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folder holding the agent's package.json, found by walking up from `fromUrl`. This module sits at
 * `agent/src/sandbox/` (sources, vitest), `agent/dist/sandbox/` (compiled) or directly in `bundle/` (the
 * packed package's per-bin bundles), so a fixed number of `..` cannot serve all three.
 */
export function findAgentRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (packageName(dir) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named ${PACKAGE_NAME} above ${fromUrl}`);
    dir = parent;
  }
}

/**
 * The repository checkout the agent runs from, when it does (`npm ci` in a clone, tests); undefined when the
 * agent runs as an installed package. A checkout provides the Pulumi project, the dashboard's sources and
 * the Vite that builds them.
 */
export function findCheckoutRoot(agentRoot: string): string | undefined {
  const parent = dirname(agentRoot);
  return packageName(parent) === MONOREPO_NAME ? parent : undefined;
}

/** `stacks/dashboard-hosting-prod` of a repository, when that repository has the Pulumi project. */
export function hostingProjectDir(repoRoot: string): string | undefined {
  const dir = join(repoRoot, 'stacks', 'dashboard-hosting-prod');
  return existsSync(join(dir, 'Pulumi.yaml')) ? dir : undefined;
}

/** True when running the TypeScript sources (vitest) rather than compiled JavaScript. */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');
