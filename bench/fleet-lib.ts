// The fleet harness (issue 13 §2), shared by the in-suite fleet test and bench/fleet.ts: agent
// instances (`frontendops mcp --http`, real child processes driven over Streamable HTTP by the SDK client) and scheduled
// deploys (`frontendops schedule`, real child processes on a per-second cron) against one sandbox with
// N stacks, under seeded S3 faults, with one instance killed (SIGKILL) and restarted mid-way; then a
// finish pass through the tools and the checks. It only talks to the product through its processes,
// its MCP tools, S3 and the edge; the sandbox and the publisher are handed in (sources in tests, the
// built package in the bench).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const execFileAsync = promisify(execFile);

/** The parts of a running sandbox the harness uses (`startSandbox`'s result). */
export interface FleetSandbox {
  info: {
    configPath: string;
    s3Endpoint: string;
    artifactsBucket: string;
    repoPath: string;
    edgeUrl: string;
    stacks?: Array<{ name: string; edgeUrl: string; hostingBucket: string }>;
  };
  setFaults(faults: { rate: number; seed?: number }): void;
  stop(): Promise<void>;
}

export interface FleetOptions {
  dir: string;
  cli: string;
  cwd: string;
  sandbox: FleetSandbox;
  /** Publishes a small complete build of `commit` to the artifacts bucket. */
  publish: (commit: string, label: string) => Promise<void>;
  instances: number;
  /** `frontendops schedule` processes on a per-second cron (0: none). */
  schedulers: number;
  /** How long deploys are fired. */
  durationMs: number;
  /** Share of S3 requests that fail (seeded). */
  faultRate: number;
  seed: number;
  /** `latest`: new commits keep arriving and clients ask for "the latest"; `commits`: each stack walks through pre-published commits (throughput). */
  mode: 'latest' | 'commits';
  /** In `latest` mode, a new dashboard commit every this many ms; in `commits` mode, how many to pre-publish. */
  commitEveryMs?: number;
  commits?: number;
  /** The schedulers' cron (default every 2 seconds). */
  scheduleCron?: string;
  /** SIGKILL instance 2 at half time and restart it. */
  killOne: boolean;
  lockTtlSeconds: number;
  /** Concurrent MCP clients firing deploys. */
  clients: number;
  log?: (line: string) => void;
  /** Called when the measured load phase starts and ends (after the warm-up, before the finish pass). */
  onLoadStart?: () => void;
  onLoadEnd?: () => void;
}

export interface CallRecord {
  instance: number;
  tool: string;
  /** The instance answered (an MCP result, error or not); false when it was unreachable (killed). */
  answered: boolean;
}

export interface FleetResult {
  stacks: string[];
  /** Every deployment id a client was given, with its stack. */
  jobs: Array<{ deploymentId: string; stack: string }>;
  /** Final job records (from get_deployment_status) by id, as each instance answered. */
  finalByInstance: Array<Record<string, { status: string; stack: string }>>;
  calls: CallRecord[];
  /** The deployments of the finish pass (after the load phase). */
  finishPassIds: string[];
  /** Every job of every stack, as list_deployments pages them (clients' and the schedulers'). */
  listed: Array<{
    deploymentId: string;
    stack: string;
    status: string;
    trigger: string;
    /** From the job's creation to its end, in ms (by the running instance's clock). */
    durationMs?: number;
    /** The error code of a job that did not succeed. */
    code?: string;
  }>;
  /** Jobs that ended deployed during the load phase, and the load phase's length. */
  deployedDuringLoad: number;
  loadMs: number;
  statuses: Record<string, number>;
  auditPaths: string[];
  killed: boolean;
}

type Structured = Record<string, unknown>;

interface Instance {
  index: number;
  name: string;
  configPath: string;
  auditPath: string;
  agent: AgentProcess | undefined;
}

/** One `frontendops mcp` child process and an MCP client connected to it. */
export interface AgentProcess {
  client: Client;
  pid: number | undefined;
  /** SIGKILL: the instance gets no chance to finish, release or record anything. */
  kill(): void;
  close(): Promise<void>;
}

export interface AgentProcessOptions {
  cli: string;
  cwd: string;
  configPath: string;
  /** FRONTENDOPS_INSTANCE: the instance's name in job records and lock owners. */
  name: string;
  /** `http` (default): `frontendops mcp --http 127.0.0.1:0` with a bearer token; `stdio`: the client spawns it. */
  transport?: 'http' | 'stdio';
  env?: Record<string, string>;
}

function agentEnv(options: AgentProcessOptions, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    USER: 'fleet',
    ...options.env,
    ...extra,
    FRONTENDOPS_INSTANCE: options.name,
  };
}

/** Starts `frontendops mcp` on `configPath` and connects an MCP client to it. */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const client = new Client({ name: `fleet-client-${options.name}`, version: '1' });
  if (options.transport === 'stdio') {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [options.cli, 'mcp', '--config', options.configPath],
      env: agentEnv(options),
      cwd: options.cwd,
      stderr: 'ignore',
    });
    await client.connect(transport);
    return {
      client,
      pid: transport.pid ?? undefined,
      kill: () => {
        if (transport.pid !== null) process.kill(transport.pid, 'SIGKILL');
      },
      close: () => client.close().catch(() => undefined),
    };
  }
  // A token made for this run (never a fixed string): the server refuses to listen without one.
  const token = randomBytes(32).toString('hex');
  const child = spawn(
    process.execPath,
    [options.cli, 'mcp', '--config', options.configPath, '--http', '127.0.0.1:0'],
    {
      cwd: options.cwd,
      env: agentEnv(options, { FRONTENDOPS_MCP_TOKEN: token }),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    const onData = (chunk: Buffer) => {
      stderr += String(chunk);
      const found = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (found !== undefined) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(found);
      }
    };
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`frontendops mcp ${options.name} exited: ${stderr}`)));
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return {
    client,
    pid: child.pid,
    kill: () => {
      child.kill('SIGKILL');
    },
    close: async () => {
      await client.close().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function textOf(result: object): string {
  const content = (result as { content?: Array<{ text?: string }> }).content;
  return content?.[0]?.text ?? '';
}

async function git(repo: string, args: string[]): Promise<string> {
  return (await execFileAsync('git', args, { cwd: repo })).stdout.trim();
}

/** A seeded PRNG (mulberry32) so the run's choices replay. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function commitDashboard(repo: string, n: number): Promise<string> {
  await mkdir(join(repo, 'sophia-dashboard'), { recursive: true });
  await writeFile(join(repo, 'sophia-dashboard', 'fleet.txt'), `change ${n}\n`);
  await git(repo, ['add', '--', 'sophia-dashboard/fleet.txt']);
  await git(repo, ['commit', '--quiet', '--no-verify', '-m', `dashboard: fleet change ${n}`]);
  return git(repo, ['rev-parse', 'HEAD']);
}

export class Fleet {
  readonly instances: Instance[] = [];
  readonly calls: CallRecord[] = [];
  private readonly schedulers: ChildProcess[] = [];
  private readonly random: () => number;
  private readonly log: (line: string) => void;
  readonly stacks: string[];

  constructor(private readonly options: FleetOptions) {
    this.random = seeded(options.seed);
    this.log = options.log ?? (() => undefined);
    this.stacks = (options.sandbox.info.stacks ?? []).map((s) => s.name);
    if (this.stacks.length === 0) this.stacks = ['dashboard-hosting-prod'];
  }

  /** One config per instance (its own audit log), every stack unattended, a short lock TTL. */
  private async writeConfigs(): Promise<void> {
    const base = JSON.parse(await readFile(this.options.sandbox.info.configPath, 'utf8')) as Structured & {
      stacks: Structured[];
    };
    const total = this.options.instances + this.options.schedulers;
    for (let i = 0; i < total; i += 1) {
      const name =
        i < this.options.instances ? `agent-${i + 1}` : `scheduler-${i - this.options.instances + 1}`;
      const auditPath = join(this.options.dir, `audit-${name}.jsonl`);
      const configPath = join(this.options.dir, `config-${name}.json`);
      const config = {
        ...base,
        auditLogPath: auditPath,
        lockTtlSeconds: this.options.lockTtlSeconds,
        stacks: base.stacks.map((s) => ({ ...s, autoApprove: true })),
      };
      await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
      if (i < this.options.instances) {
        this.instances.push({
          index: i,
          name,
          configPath,
          auditPath,
          agent: undefined,
        });
      }
    }
  }

  private env(name: string): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      USER: 'fleet',
      FRONTENDOPS_INSTANCE: name,
    };
    return env;
  }

  private async connect(instance: Instance): Promise<AgentProcess> {
    instance.agent = await startAgentProcess({
      cli: this.options.cli,
      cwd: this.options.cwd,
      configPath: instance.configPath,
      name: instance.name,
    });
    return instance.agent;
  }

  async start(): Promise<void> {
    await this.writeConfigs();
    await Promise.all(this.instances.map((i) => this.connect(i)));
    for (let s = 0; s < this.options.schedulers; s += 1) {
      const name = `scheduler-${s + 1}`;
      const child = spawn(
        process.execPath,
        [
          this.options.cli,
          'schedule',
          '--cron',
          this.options.scheduleCron ?? '*/2 * * * * *',
          '--yes',
          '--json',
          '--config',
          join(this.options.dir, `config-${name}.json`),
        ],
        { cwd: this.options.cwd, env: this.env(name), stdio: ['ignore', 'pipe', 'ignore'] },
      );
      child.stdout?.resume();
      this.schedulers.push(child);
    }
  }

  /** A tool call on one instance; undefined when the instance could not answer (it was killed). */
  async call(
    index: number,
    tool: string,
    args: Structured,
  ): Promise<{ ok: boolean; structured: Structured; text: string } | undefined> {
    const instance = this.instances[index];
    const client = instance?.agent?.client;
    if (instance === undefined || client === undefined) {
      this.calls.push({ instance: index, tool, answered: false });
      return undefined;
    }
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 120_000 });
      this.calls.push({ instance: index, tool, answered: true });
      return {
        ok: result.isError !== true,
        structured: (result.structuredContent ?? {}) as Structured,
        text: textOf(result),
      };
    } catch {
      this.calls.push({ instance: index, tool, answered: false });
      return undefined;
    }
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  /** SIGKILL an instance (no chance to finish or release anything), then start it again. */
  async killAndRestart(index: number, downMs: number): Promise<void> {
    const instance = this.instances[index];
    if (instance === undefined) return;
    const agent = instance.agent;
    instance.agent = undefined;
    agent?.kill();
    this.log(`killed ${instance.name} (pid ${agent?.pid})`);
    await delay(downMs);
    const restarted = await this.connect(instance);
    this.log(`restarted ${instance.name} (pid ${restarted.pid})`);
  }

  async stopSchedulers(): Promise<void> {
    await Promise.all(
      this.schedulers.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await this.stopSchedulers();
    await Promise.all(this.instances.map((i) => i.agent?.close()));
  }
}

const FINISHED = (status: unknown) => typeof status === 'string' && status !== 'running';

/** Polls a job on instance `index` until it is no longer running (or the deadline passes). */
async function waitForJob(
  fleet: Fleet,
  index: number,
  deploymentId: string,
  deadline: number,
): Promise<Structured | undefined> {
  while (Date.now() < deadline) {
    const answer = await fleet.call(index, 'get_deployment_status', { deploymentId });
    if (answer?.ok && FINISHED(answer.structured.status)) return answer.structured;
    await delay(500);
  }
  return undefined;
}

/** Runs the whole fleet scenario and returns what the checks need. */
export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const log = options.log ?? (() => undefined);
  const repo = options.sandbox.info.repoPath;
  let commitNo = 0;
  const publishNext = async (): Promise<string> => {
    commitNo += 1;
    const sha = await commitDashboard(repo, commitNo);
    await options.publish(sha, `fleet ${commitNo}`);
    return sha;
  };
  const prepublished: string[] = [];
  if (options.mode === 'commits') {
    for (let i = 0; i < (options.commits ?? 10); i += 1) prepublished.push(await publishNext());
  } else {
    await publishNext();
  }

  const fleet = new Fleet(options);
  await fleet.start();
  // Warm-up, outside the measured window: each instance learns every stack's artifacts bucket (one
  // stack-outputs request per stack and instance) by listing the jobs of every stack once.
  await Promise.all(fleet.instances.map((i) => fleet.call(i.index, 'list_deployments', { limit: 1 })));
  options.sandbox.setFaults({ rate: options.faultRate, seed: options.seed });
  options.onLoadStart?.();
  const jobs: FleetResult['jobs'] = [];
  const jobStatus = new Map<string, string>();
  const started = Date.now();
  const stopAt = started + options.durationMs;
  let killed = false;

  const cursor = new Map(fleet.stacks.map((s) => [s, 0]));
  const busy = new Set<string>();
  const client = async (worker: number): Promise<void> => {
    while (Date.now() < stopAt) {
      const free = fleet.stacks.filter((s) => !busy.has(s));
      if (free.length === 0) {
        await delay(50);
        continue;
      }
      const stack =
        options.mode === 'commits' ? (free[worker % free.length] as string) : fleet.pick(fleet.stacks);
      const index = fleet.pick(fleet.instances.map((i) => i.index));
      const args: Structured = { stack };
      if (options.mode === 'commits') {
        const next = cursor.get(stack) ?? 0;
        const commit = prepublished[next % prepublished.length];
        if (next >= prepublished.length || commit === undefined) {
          busy.add(stack);
          continue;
        }
        args.commit = commit;
      }
      busy.add(stack);
      try {
        const answer = await fleet.call(index, 'deploy_dashboard', args);
        const id = answer?.ok ? String(answer.structured.deploymentId ?? '') : '';
        if (id !== '') {
          jobs.push({ deploymentId: id, stack });
          const done = await waitForJob(fleet, index, id, stopAt + 60_000);
          if (done !== undefined) {
            jobStatus.set(id, String(done.status));
            if (options.mode === 'commits' && done.status === 'deployed')
              cursor.set(stack, (cursor.get(stack) ?? 0) + 1);
          }
        } else if (options.mode === 'latest') {
          await delay(200);
        }
      } finally {
        busy.delete(stack);
      }
    }
  };
  const committer = async (): Promise<void> => {
    if (options.mode !== 'latest') return;
    while (Date.now() + (options.commitEveryMs ?? 5000) < stopAt) {
      await delay(options.commitEveryMs ?? 5000);
      await publishNext().catch((error: unknown) => log(`publish failed: ${String(error)}`));
    }
  };
  const chaos = async (): Promise<void> => {
    if (!options.killOne || fleet.instances.length < 2) return;
    await delay(options.durationMs / 2);
    await fleet.killAndRestart(1, 1000);
    killed = true;
  };
  await Promise.all([...Array.from({ length: options.clients }, (_, w) => client(w)), committer(), chaos()]);
  const loadMs = Date.now() - started;
  options.onLoadEnd?.();
  const deployedDuringLoad = [...jobStatus.values()].filter((s) => s === 'deployed').length;
  await fleet.stopSchedulers();
  const loadStatuses: Record<string, number> = {};
  for (const status of jobStatus.values()) loadStatuses[status] = (loadStatuses[status] ?? 0) + 1;
  log(
    `load phase: ${jobs.length} jobs in ${Math.round(loadMs / 1000)} s, ${deployedDuringLoad} deployed (${JSON.stringify(loadStatuses)})`,
  );

  // Finish pass, through the tools: after a lock TTL (a killed instance's lock expires), one deploy of
  // "the latest" per stack finishes what a dead instance left and brings every stack up to date.
  await delay(options.lockTtlSeconds * 1000 + 1500);
  const finishPassIds: string[] = [];
  await Promise.all(
    fleet.stacks.map(async (stack) => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const index = fleet.pick(fleet.instances.map((i) => i.index));
        const answer = await fleet.call(index, 'deploy_dashboard', { stack });
        if (answer?.ok) {
          const id = String(answer.structured.deploymentId);
          jobs.push({ deploymentId: id, stack });
          finishPassIds.push(id);
          const done = await waitForJob(fleet, index, id, deadline);
          if (done !== undefined && done.status !== 'refused' && done.status !== 'failed') return;
        }
        if (Date.now() > deadline)
          throw new Error(`the finish pass could not deploy ${stack}: ${answer?.text}`);
        await delay(1000);
      }
    }),
  );

  // Every job id a client was given, from every instance: finished, and the same answer everywhere.
  const settleBy = Date.now() + options.lockTtlSeconds * 1000 * 3 + 30_000;
  const finalByInstance: FleetResult['finalByInstance'] = await Promise.all(
    fleet.instances.map(async (instance) => {
      const seen: Record<string, { status: string; stack: string }> = {};
      for (const job of jobs) {
        let answer = await fleet.call(instance.index, 'get_deployment_status', job);
        while (answer?.ok && !FINISHED(answer.structured.status) && Date.now() < settleBy) {
          await delay(500);
          answer = await fleet.call(instance.index, 'get_deployment_status', job);
        }
        seen[job.deploymentId] = {
          status: answer?.ok ? String(answer.structured.status) : `error: ${answer?.text ?? 'no answer'}`,
          stack: answer?.ok ? String(answer.structured.stack) : '',
        };
      }
      return seen;
    }),
  );
  options.sandbox.setFaults({ rate: 0 });
  // Every job of every stack, whoever started it, through one instance's list_deployments.
  const listed: FleetResult['listed'] = [];
  let page: string | undefined;
  do {
    const answer = await fleet.call(0, 'list_deployments', { limit: 100, ...(page ? { cursor: page } : {}) });
    if (!answer?.ok) throw new Error(`list_deployments failed: ${answer?.text ?? 'no answer'}`);
    for (const job of (answer.structured.deployments ?? []) as Structured[]) {
      listed.push({
        deploymentId: String(job.deploymentId),
        stack: String(job.stack),
        status: String(job.status),
        trigger: String(job.trigger),
        ...(typeof (job.error as Structured | undefined)?.code === 'string'
          ? { code: String((job.error as Structured).code) }
          : {}),
        ...(typeof job.finishedAt === 'string'
          ? { durationMs: Date.parse(job.finishedAt) - Date.parse(String(job.startedAt)) }
          : {}),
      });
    }
    page = typeof answer.structured.cursor === 'string' ? answer.structured.cursor : undefined;
  } while (page !== undefined);
  await fleet.close();
  const statuses: Record<string, number> = {};
  for (const { status } of Object.values(finalByInstance[0] ?? {}))
    statuses[status] = (statuses[status] ?? 0) + 1;
  return {
    stacks: fleet.stacks,
    jobs,
    finalByInstance,
    calls: fleet.calls,
    finishPassIds,
    listed,
    deployedDuringLoad,
    loadMs,
    statuses,
    auditPaths: fleet.instances.map((i) => i.auditPath),
    killed,
  };
}

// --- the checks -----------------------------------------------------------------------------------

export interface StackState {
  stack: string;
  /** Release records (history) of the stack: commit and status. */
  releases: Array<{ releaseId: string; commit: string; status: string; kind: string; tag?: string }>;
  liveCommit: string | undefined;
  /** What the edge serves: version.json's commit, and index.html's assets that failed to load. */
  servedCommit: string | undefined;
  brokenAssets: string[];
}

function s3Of(sandbox: FleetSandbox): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: sandbox.info.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox-secret' },
  });
}

async function getJson(s3: S3Client, bucket: string, key: string): Promise<Structured | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await out.Body?.transformToString('utf8')) ?? '{}') as Structured;
  } catch {
    return undefined;
  }
}

/** What each stack looks like afterwards: its release records, and what its edge serves. */
export async function inspectStacks(sandbox: FleetSandbox, stacks: readonly string[]): Promise<StackState[]> {
  const s3 = s3Of(sandbox);
  const bucket = sandbox.info.artifactsBucket;
  try {
    const states: StackState[] = [];
    for (const stack of stacks) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `releases/${stack}/history/`,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const o of page.Contents ?? []) if (o.Key?.endsWith('.json')) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      const releases = [];
      for (const key of keys) {
        const record = await getJson(s3, bucket, key);
        if (record === undefined) continue;
        releases.push({
          releaseId: String(record.releaseId),
          commit: String(record.commit),
          status: String(record.status ?? 'complete'),
          kind: String(record.kind ?? (record.trigger === 'rollback' ? 'rollback' : 'deploy')),
          ...(typeof record.tag === 'string' && record.tag !== '' ? { tag: record.tag } : {}),
        });
      }
      const current = await getJson(s3, bucket, `releases/${stack}/current.json`);
      const edge = (sandbox.info.stacks ?? []).find((s) => s.name === stack)?.edgeUrl ?? sandbox.info.edgeUrl;
      let servedCommit: string | undefined;
      const brokenAssets: string[] = [];
      try {
        const version = (await (await fetch(`${edge}/version.json`)).json()) as { commit?: string };
        servedCommit = version.commit;
        const html = await (await fetch(`${edge}/index.html`)).text();
        const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1] as string);
        if (assets.length === 0) brokenAssets.push('(index.html names no asset)');
        for (const asset of assets) {
          const response = await fetch(`${edge}${asset}`);
          await response.arrayBuffer();
          if (response.status !== 200) brokenAssets.push(`${asset} ${response.status}`);
        }
      } catch (error) {
        brokenAssets.push(`edge: ${String(error)}`);
      }
      states.push({
        stack,
        releases,
        liveCommit: current === undefined ? undefined : String(current.commit),
        servedCommit,
        brokenAssets,
      });
    }
    return states;
  } finally {
    s3.destroy();
  }
}

/** Deploy tags in the scratch repository: name → commit. */
export async function deployTags(repo: string): Promise<Array<{ name: string; commit: string }>> {
  const out = await git(repo, ['for-each-ref', '--format=%(refname:short) %(*objectname)', 'refs/tags']);
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [name = '', commit = ''] = l.split(' ');
      return { name, commit };
    });
}

/** Request lines of an instance's audit log by tool (the text starts with the tool name). */
export async function auditedRequests(path: string): Promise<Record<string, number>> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { kind?: string; text?: string };
    if (entry.kind !== 'request' || entry.text === undefined) continue;
    const tool = entry.text.split(' ')[0] ?? '';
    counts[tool] = (counts[tool] ?? 0) + 1;
  }
  return counts;
}
