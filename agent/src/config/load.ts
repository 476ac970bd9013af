import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { FrontendOpsError } from '../errors.js';
import { parseWith } from '../validation.js';
import { type Config, ConfigSchema, type StackConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'frontendops.config.json';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file read. */
  path: string;
  /** Folder of the config file: relative paths in the config are relative to it. */
  baseDir: string;
}

export interface LoadConfigDeps {
  readFile?: (path: string) => Promise<string>;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads and validates the config: `--config`, else `$FRONTENDOPS_CONFIG`, else ./frontendops.config.json. */
export async function loadConfig(
  explicitPath: string | undefined,
  deps: LoadConfigDeps = {},
): Promise<LoadedConfig> {
  const cwd = deps.cwd ?? process.cwd();
  const env = deps.env ?? process.env;
  const read = deps.readFile ?? ((p: string) => readFile(p, 'utf8'));
  const path = resolve(cwd, explicitPath ?? env.FRONTENDOPS_CONFIG ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = await read(path);
  } catch (cause) {
    throw new FrontendOpsError('CONFIG_INVALID', `cannot read config file ${path}`, {
      hint: 'Pass --config PATH, or run `frontendops sandbox start` to get a working one.',
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FrontendOpsError('CONFIG_INVALID', `config file ${path} is not valid JSON`, {
      hint: 'Fix the JSON syntax (a trailing comma is the usual culprit).',
      cause,
    });
  }
  return { config: parseConfig(json), path, baseDir: dirname(path) };
}

export function parseConfig(json: unknown): Config {
  return parseWith(ConfigSchema, json, 'CONFIG_INVALID', 'config', 'Fix the config field named above.');
}

/** The named stack, or the only one; errors name the stacks that exist. */
export function selectStack(config: Config, name: string | undefined): StackConfig {
  if (name === undefined) {
    const [first, ...rest] = config.stacks;
    if (first && rest.length === 0) return first;
    throw new FrontendOpsError('BAD_INPUT', 'several stacks are configured; say which one with --stack', {
      hint: `Known stacks: ${config.stacks.map((s) => s.name).join(', ')}`,
    });
  }
  const stack = config.stacks.find((s) => s.name === name);
  if (!stack) {
    throw new FrontendOpsError('STACK_NOT_CONFIGURED', `no stack named ${name} in the config`, {
      hint: `Known stacks: ${config.stacks.map((s) => s.name).join(', ')}`,
    });
  }
  return stack;
}

/** Resolves a path from the config against the config file's folder. */
export function resolveFromConfig(loaded: LoadedConfig, path: string): string {
  return isAbsolute(path) ? path : resolve(loaded.baseDir, path);
}
