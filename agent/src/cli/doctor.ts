import type { Command } from 'commander';
import type { AgentStackOutputs } from '../agent/pulumi.js';
import type { Session, SessionOptions } from '../agent/session.js';
import type { McpServerEntry } from '../config/schema.js';
import { parseSyncCommand, type SyncCommand } from '../deploy/sync-command.js';
import { endpointUnreachable, SERVICES } from '../errors/endpoint.js';
import { type FrontendOpsError, isFrontendOpsError, toFrontendOpsError } from '../errors.js';
import { displayUrl } from '../mcp/client/display-url.js';
import type { CliContext } from './context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { CommandExit } from './output.js';
import { type CommonFlags, openSession } from './support.js';

/**
 * `frontendops doctor`: checks every dependency a deploy has, in the order a deploy meets them, and
 * prints one row each — ✓/✗ (or ! for a warning), latency, detail — with a hint under every failure.
 * The exit code is the worst result: 2 when the config itself is bad, 1 when any check failed.
 */

export type CheckLevel = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  level: CheckLevel;
  ms: number | undefined;
  detail: string;
  hint?: string;
  code?: string;
}

/** Tools each role's server must offer, and those whose absence only degrades a deploy. */
export const REQUIRED_TOOLS = {
  pulumi: { required: ['pulumi-cli-stack-output'], optional: ['invalidate_cdn', 'get_invalidation'] },
  github: {
    required: ['list_commits', 'get_commit', 'list_tags', 'get_tag', 'next_deploy_tag', 'create_tag'],
    optional: [],
  },
} as const;

const MARK: Record<CheckLevel, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

export function formatChecks(checks: readonly CheckResult[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const check of checks) {
    const ms = check.ms === undefined ? '     -' : `${String(Math.round(check.ms)).padStart(4)} ms`;
    lines.push(`${MARK[check.level]} ${check.name.padEnd(width)}  ${ms}  ${check.detail}`);
    if (check.hint && (check.level === 'fail' || check.level === 'warn'))
      lines.push(`    hint: ${check.hint}`);
  }
  return lines.join('\n');
}

export function doctorExitCode(checks: readonly CheckResult[]): ExitCode {
  const failed = checks.filter((c) => c.level === 'fail');
  if (failed.length === 0) return EXIT.OK;
  if (failed.some((c) => c.code === 'CONFIG_INVALID' || c.code === 'STACK_NOT_CONFIGURED'))
    return EXIT.BAD_INPUT;
  return EXIT.FAILURE;
}

export interface DoctorDeps {
  session?: Partial<SessionOptions>;
  clock?: () => number;
  /** How the site check reaches the edge (default: global fetch). */
  fetch?: typeof fetch;
}

/** How long the site check waits for the edge to answer. */
export const SITE_CHECK_TIMEOUT_MS = 10_000;

/** How a failed check's error is shown: explained (endpoints), redacted, never without a hint. */
interface Reporter {
  explain: (error: unknown) => Promise<FrontendOpsError>;
  redact: (text: string) => string;
}

async function timed(
  name: string,
  clock: () => number,
  run: () => Promise<{ detail: string; level?: CheckLevel; hint?: string }>,
  reporter: Reporter,
  /** Said under the ✗ when the error itself carries no hint: every failure says what to try next. */
  fallbackHint: string,
): Promise<CheckResult> {
  const started = clock();
  try {
    const { detail, level, hint } = await run();
    return { name, level: level ?? 'ok', ms: clock() - started, detail, ...(hint ? { hint } : {}) };
  } catch (error) {
    const ms = clock() - started;
    const err = await reporter.explain(error);
    return {
      name,
      level: 'fail',
      ms,
      detail: reporter.redact(`${err.code}: ${err.message}`),
      hint: reporter.redact(err.hint ?? fallbackHint),
      code: err.code,
    };
  }
}

export async function runChecks(
  ctx: CliContext,
  flags: CommonFlags,
  deps: DoctorDeps = {},
): Promise<CheckResult[]> {
  const clock = deps.clock ?? (() => performance.now());
  const checks: CheckResult[] = [];
  let session: Session | undefined;
  const configCheck = await timed(
    'config',
    clock,
    async () => {
      session = await openSession(ctx, flags, deps.session);
      return { detail: `${session.loaded.path} (stack ${session.stack.name})` };
    },
    { explain: async (error) => toFrontendOpsError(error), redact: (t) => t },
    'Pass --config PATH, or run `frontendops sandbox start` to get a working config.',
  );
  checks.push(configCheck);
  if (!session) return checks;
  const s = session as Session;
  const redact: Reporter = { explain: (error) => s.explain(error), redact: s.redactor.text };
  try {
    const flowCtx = await s.startRequest({
      trigger: 'cli',
      text: 'doctor',
      approval: { yes: false },
      // Doctor only reads; no act is asked for.
      mandate: { kind: 'words', act: null, why: 'doctor only checks' },
    });
    const roles = s.config.servers;
    const toolsOf = new Map<string, Set<string>>();

    for (const name of Object.keys(s.config.mcpServers)) {
      const role = (Object.entries(roles).find(([, server]) => server === name)?.[0] ?? undefined) as
        | keyof typeof REQUIRED_TOOLS
        | undefined;
      checks.push(
        await timed(
          `mcp server ${name}`,
          clock,
          async () => {
            const connection = await s.connections.get(name);
            const tools = new Set((await connection.listTools()).map((t) => t.name));
            toolsOf.set(name, tools);
            const detail = `started in ${Math.round(connection.connectMs)} ms, ${tools.size} tools${role ? ` (role ${role})` : ''}`;
            if (!role) return { detail };
            const missing = REQUIRED_TOOLS[role].required.filter((t) => !tools.has(t));
            if (missing.length > 0) {
              return {
                level: 'fail',
                detail: `${detail}; missing ${missing.join(', ')}`,
                hint: `mcpServers.${name} must be FrontendOps' ${role} server (or one with the same tools).`,
              };
            }
            const degraded = REQUIRED_TOOLS[role].optional.filter((t) => !tools.has(t));
            if (degraded.length > 0) {
              return {
                level: 'warn',
                detail: `${detail}; no ${degraded.join(', ')}`,
                hint: 'Deploys invalidate CloudFront directly with the agent’s own credentials instead.',
              };
            }
            return { detail };
          },
          redact,
          entryHint(name, s.config.mcpServers[name]),
        ),
      );
    }
    for (const [role, server] of Object.entries(roles)) {
      if (!(server in s.config.mcpServers)) {
        checks.push({
          name: `mcp server ${server}`,
          level: 'fail',
          ms: undefined,
          detail: `role ${role} names mcpServers.${server}, which is not configured`,
          hint: `Add mcpServers.${server}, or point servers.${role} at an existing entry.`,
          code: 'MCP_SERVER_ERROR',
        });
      }
    }

    let outputs: AgentStackOutputs | undefined;
    let sync: SyncCommand | undefined;
    checks.push(
      await timed(
        'stack outputs',
        clock,
        async () => {
          outputs = await flowCtx.pulumi.stackOutputs();
          sync = parseSyncCommand(outputs.syncCommand);
          return {
            detail: `${s.stack.name}: artifacts s3://${sync.source.bucket}, hosting s3://${sync.destination.bucket}/${sync.destination.prefix}${outputs.url ? `, url ${outputs.url}` : ''}`,
          };
        },
        redact,
        "Check the stack's Pulumi backend (stacks[].backend in the config); run `pulumi up` on the hosting stack if it has no outputs.",
      ),
    );

    const bucketCheck = (label: string, bucket: () => string | undefined, prefix: () => string) =>
      timed(
        label,
        clock,
        async () => {
          const name = bucket();
          if (name === undefined) return { level: 'skip', detail: 'skipped: no stack outputs' };
          // Loaded here, not at the top: every command file loads when the CLI starts, and these pull in the
          // AWS SDK's retry rules. One destructured `await import()` each: from that form the bundler keeps
          // only the names taken, while a package imported inside Promise.all is kept whole — here every
          // S3 command and the aggregated client, in the chunk that every S3 reader loads.
          const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
          const { s3Reads } = await import('../agent/flow.js');
          const { s3Failure } = await import('../deploy/requests.js');
          // Through the engine's runner: a dead S3 is ENDPOINT_UNREACHABLE within the deadline, not a hang.
          const page = await s3Reads(flowCtx)
            .run('ListObjectsV2', (abortSignal) =>
              s.s3.send(new ListObjectsV2Command({ Bucket: name, Prefix: prefix(), MaxKeys: 1 }), {
                abortSignal,
              }),
            )
            .catch((error: unknown) => {
              throw s3Failure(error, `listing s3://${name}/${prefix()}`);
            });
          return { detail: `s3://${name} readable (${page.KeyCount ?? 0} object(s) sampled)` };
        },
        redact,
        'Check that the bucket exists (the stack outputs name it) and that the deployer credentials may list it.',
      );
    checks.push(
      await bucketCheck(
        'S3 artifacts bucket',
        () => sync?.source.bucket,
        () => 'builds/',
      ),
    );
    checks.push(
      await bucketCheck(
        'S3 hosting bucket',
        () => sync?.destination.bucket,
        () => sync?.destination.prefix ?? '',
      ),
    );

    const pulumiTools = toolsOf.get(roles.pulumi) ?? new Set<string>();
    checks.push(
      await timed(
        'CloudFront',
        clock,
        async () => {
          if (pulumiTools.has('get_invalidation')) {
            // Asking for an id that cannot exist proves the server reaches the distribution's API.
            try {
              await flowCtx.tools.call('pulumi', 'get_invalidation', {
                stackName: s.stack.name,
                invalidationId: 'FRONTENDOPSDOCTOR',
              });
            } catch (error) {
              if (isFrontendOpsError(error, 'INVALIDATION_NOT_FOUND')) {
                return { detail: `the ${roles.pulumi} server reaches the distribution's invalidation API` };
              }
              throw error;
            }
            return { detail: `the ${roles.pulumi} server reaches the distribution's invalidation API` };
          }
          if (outputs?.distributionId === undefined) {
            return {
              level: 'skip',
              detail: 'skipped: no get_invalidation tool and no distributionId output',
            };
          }
          const { createCloudFrontClient } = await import('../aws/cloudfront-client.js');
          const { cloudFrontClientEndpoint } = await import('../aws/endpoint.js');
          const { createRequestRunner, realSleep } = await import('../deploy/requests.js');
          const { ListInvalidationsCommand } = await import('@aws-sdk/client-cloudfront');
          const { network } = s.config;
          const client = createCloudFrontClient(s.stack.aws, network);
          const distributionId = outputs.distributionId;
          try {
            await createRequestRunner({
              sleep: realSleep,
              attemptTimeoutMs: network.requestTimeoutSeconds * 1000,
              deadlineMs: network.deadlineSeconds * 1000,
              endpoint: { service: SERVICES.cloudfront, url: cloudFrontClientEndpoint(client) },
            }).run('ListInvalidations', (abortSignal) =>
              client.send(new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 1 }), {
                abortSignal,
              }),
            );
          } catch (error) {
            throw (
              endpointUnreachable(error, {
                service: SERVICES.cloudfront,
                ...(s.stack.aws.cloudfrontEndpoint ? { endpoint: s.stack.aws.cloudfrontEndpoint } : {}),
                action: `listing the invalidations of ${outputs.distributionId}`,
              }) ?? error
            );
          } finally {
            client.destroy();
          }
          return {
            detail: `ListInvalidations on ${outputs.distributionId} works with the agent's credentials`,
          };
        },
        redact,
        "Check the stack's distributionId output and that the pulumi MCP server's credentials may read its invalidations.",
      ),
    );

    checks.push(
      await timed(
        'site',
        clock,
        async () => {
          if (outputs?.url === undefined) return { level: 'skip', detail: 'skipped: no url output' };
          const url = outputs.url.replace(/\/+$/, '');
          const response = await (deps.fetch ?? fetch)(`${url}/version.json`, {
            signal: AbortSignal.timeout(SITE_CHECK_TIMEOUT_MS),
          }).catch((error: unknown) => {
            throw endpointUnreachable(error, { service: SERVICES.edge, endpoint: url }) ?? error;
          });
          await response.body?.cancel();
          // Any answer proves the edge is up; before the first deploy it has no version.json yet.
          return {
            detail:
              response.status === 404
                ? `${url} answers (no version.json yet: nothing deployed)`
                : `${url} answers (HTTP ${response.status} for /version.json)`,
          };
        },
        redact,
        "Check the stack's url output and that its CloudFront distribution is deployed.",
      ),
    );

    checks.push(
      await timed(
        'GitHub',
        clock,
        async () => {
          const [newest] = await flowCtx.github.dashboardCommits(1);
          const tags = await flowCtx.github.listDeployTags(1);
          const { owner, repo, branch, dashboardPath } = s.config.github;
          return {
            detail:
              `${owner}/${repo}@${branch}: newest ${dashboardPath} commit ${newest ? newest.sha.slice(0, 7) : '(none)'}, ` +
              `latest deploy tag ${tags[0]?.name ?? '(none)'}`,
          };
        },
        redact,
        `Check github.owner/repo (${s.config.github.owner}/${s.config.github.repo}) in the config and the ${roles.github} MCP server's access (its token or local repository).`,
      ),
    );
    await flowCtx.tools.trail.write({
      kind: 'result',
      status: checks.some((c) => c.level === 'fail') ? 'failed' : 'ok',
      durationMs: 0,
    });
  } finally {
    await s.close();
  }
  return checks;
}

/** What to try when an `mcpServers` entry fails: run its command by hand, or check its HTTP server. */
function entryHint(name: string, entry: McpServerEntry | undefined): string {
  if (entry !== undefined && 'url' in entry) {
    return `Check that the server at ${displayUrl(entry.url)} is running and that mcpServers.${name}.headers carry its token.`;
  }
  const commandLine = entry === undefined ? '' : [entry.command, ...entry.args].join(' ');
  return `Run \`${commandLine}\` by hand to see why it fails (mcpServers.${name} in the config).`;
}

export async function runDoctor(
  ctx: CliContext,
  flags: CommonFlags,
  deps: DoctorDeps = {},
): Promise<ExitCode> {
  const checks = await runChecks(ctx, flags, deps);
  const code = doctorExitCode(checks);
  if (flags.json) {
    ctx.stdout.write(`${JSON.stringify({ status: code === EXIT.OK ? 'ok' : 'failed', checks })}\n`);
  } else {
    ctx.stdout.write(`${formatChecks(checks)}\n`);
  }
  return code;
}

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'Check the config, both MCP servers, stack outputs, S3, CloudFront and GitHub; print latencies.',
    )
    .option('-s, --stack <name>', 'stack to check (default: the only one configured)')
    .action(async (_options: unknown, command: Command) => {
      const code = await runDoctor(ctx, command.optsWithGlobals());
      if (code !== 0) throw new CommandExit(code);
    });
}
