#!/usr/bin/env node
// Builds bundle/ for the packed package (`npm pack` runs it as prepack; postpack runs it with --clean):
// one ES module per bin plus shared chunks, made by rolldown from what `tsc` compiled to dist/.
//
// Why: a cold `frontendops status` starts three Node processes (the CLI and both MCP servers), and each
// spent most of its start-up resolving and loading hundreds of small modules (zod alone is 116 files, the
// MCP SDK, the AWS SDK, Octokit…). A bundle per bin loads a handful of files instead; bench/startup.mjs
// measures the difference. A clone keeps running dist/ (its bins prefer dist/ when it exists), so tests and
// `tsc -b` work as before.
//
// What stays external: exactly the package.json `dependencies` (LangChain, which loads model providers by
// name and must share one @langchain/core with them, and @pulumi/pulumi, loaded only by the automation
// backend) plus Node's built-ins. Everything else is bundled, so it is a devDependency; the licences of
// the bundled packages go to bundle/THIRD-PARTY-NOTICES.txt.
//
//   node scripts/bundle.mjs            (after tsc -b)
//   node scripts/bundle.mjs --clean
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const AGENT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(AGENT, 'dist');
const OUT = join(AGENT, 'bundle');

const ENTRIES = {
  frontendops: join(DIST, 'cli', 'bin.js'),
  'frontendops-pulumi-mcp': join(DIST, 'mcp', 'pulumi', 'bin.js'),
  'frontendops-github-mcp': join(DIST, 'mcp', 'github', 'bin.js'),
};
/** Spawned by path under another Node (fauxqs needs Node >= 22.5) and free of imports: copied as is. */
const EMULATOR_CHILD = join(DIST, 'sandbox', 'emulator-child.js');

await rm(OUT, { recursive: true, force: true });
if (process.argv.includes('--clean')) process.exit(0);

const pkg = JSON.parse(await readFile(join(AGENT, 'package.json'), 'utf8'));
const externalPackages = Object.keys(pkg.dependencies ?? {});
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isExternal(id) {
  if (builtins.has(id) || id.startsWith('node:')) return true;
  if (id.startsWith('.') || id.startsWith('/') || id.startsWith('\0')) return false;
  return externalPackages.includes(packageOf(id));
}

/**
 * The MCP SDK's Client and Server build an Ajv validator by default (Ajv and its formats: the largest part
 * of the SDK to load). The agent's client always passes its own validator (mcp/client/lazy-validator.ts,
 * @cfworker/json-schema), and the servers only need one for elicitation, which they never use; in the
 * bundles the SDK's default is the SDK's own @cfworker/json-schema validator too, so Ajv is not loaded.
 */
const SDK_DEFAULT_VALIDATOR = '\0mcp-sdk-default-validator';
const sdkDefaultValidator = {
  name: 'mcp-sdk-default-validator',
  resolveId(source, importer) {
    const fromSdk = importer !== undefined && /[\\/]@modelcontextprotocol[\\/]sdk[\\/]/.test(importer);
    return fromSdk && source === '../validation/ajv-provider.js' ? SDK_DEFAULT_VALIDATOR : null;
  },
  load(id) {
    if (id !== SDK_DEFAULT_VALIDATOR) return null;
    return "export { CfWorkerJsonSchemaValidator as AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';";
  },
};

const bundle = await rolldown({
  input: ENTRIES,
  platform: 'node',
  external: isExternal,
  plugins: [sdkDefaultValidator],
  // The ES module builds, where a package has one (the AWS SDK's dist-es, as AWS recommends for bundling
  // for Node): they tree-shake, and the SDK's credential providers stay behind dynamic imports, loaded only
  // when the credential chain runs, instead of inside every S3 user's chunk.
  resolve: { mainFields: ['module', 'main'], conditionNames: ['module', 'import', 'node', 'default'] },
  logLevel: 'warn',
  onLog(level, log, handler) {
    // Circular imports inside third-party packages (zod, the AWS SDK) are theirs and harmless.
    if (log.code === 'CIRCULAR_DEPENDENCY') return;
    handler(level, log);
  },
});
const { output } = await bundle.write({
  dir: OUT,
  format: 'esm',
  // Everything in one folder: the code finds package.json at `../package.json` and the emulator child
  // beside itself, as it does in dist/.
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  sourcemap: true,
  minify: true,
});
await bundle.close();
await copyFile(EMULATOR_CHILD, join(OUT, 'emulator-child.js'));

// Every import left in the output must be a built-in or a declared dependency: the installed package
// has nothing else.
const undeclared = new Set();
for (const chunk of output) {
  if (chunk.type !== 'chunk') continue;
  for (const id of [...chunk.imports, ...chunk.dynamicImports]) {
    if (id.startsWith('.') || id.startsWith('/') || builtins.has(id) || id.startsWith('node:')) continue;
    if (output.some((c) => c.fileName === id)) continue;
    if (!externalPackages.includes(packageOf(id))) undeclared.add(id);
  }
}
if (undeclared.size > 0) {
  console.error(`bundle: imports not in dependencies: ${[...undeclared].join(', ')}`);
  process.exit(1);
}

// The packages whose code went into the bundle, with their licences.
const packages = new Map();
for (const chunk of output) {
  if (chunk.type !== 'chunk') continue;
  for (const id of chunk.moduleIds) {
    const parts = id.split(sep);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const name = parts[at + 1]?.startsWith('@') ? parts.slice(at + 1, at + 3).join('/') : parts[at + 1];
    const root = parts.slice(0, at + 1 + name.split('/').length).join(sep);
    if (!packages.has(name)) packages.set(name, root);
  }
}
const notices = [];
for (const [name, root] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
  const meta = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  let text = '';
  for (const file of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE', 'license.md']) {
    text = await readFile(join(root, file), 'utf8').catch(() => '');
    if (text !== '') break;
  }
  notices.push(
    `${name}@${meta.version} — ${meta.license ?? 'see package'}\n${text.trim() || `(no licence file; the package declares ${meta.license})`}\n`,
  );
}
await mkdir(OUT, { recursive: true });
await writeFile(
  join(OUT, 'THIRD-PARTY-NOTICES.txt'),
  `The bundles in this folder contain code from these packages, under these licences.\n\n${notices.join('\n')}`,
);

const files = output.filter((o) => o.type === 'chunk');
const bytes = files.reduce((sum, c) => sum + c.code.length, 0);
console.log(
  `bundle: ${files.length} modules, ${(bytes / 1024).toFixed(0)} KB, ${packages.size} bundled packages → ${relative(process.cwd(), OUT) || '.'}`,
);
