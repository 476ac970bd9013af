import { randomUUID } from 'node:crypto';
import type { Answer } from '../../agent/dispatch.js';
import type { ProgressEvent } from '../../deploy/pipeline.js';
import { FrontendOpsError, toFrontendOpsError } from '../../errors.js';
import { formatErrorText } from '../../outcome.js';

/**
 * The start-then-poll pattern of the original orchestrator: `deploy_dashboard` registers a job and
 * returns its id at once; `get_deployment_status` reads it. The registry belongs to the server process,
 * not to an MCP session: over HTTP, a deploy one client started is polled by any other, and a client
 * that goes away mid-deploy leaves the job running. One job at a time (per registry): a second request
 * while one runs is refused with the running id, rather than queued behind a deploy the caller cannot
 * see.
 *
 * The tools only see `DeploymentRegistry`, so a registry shared by several server processes (jobs kept
 * in the artifacts bucket) can replace the in-process one without touching them.
 */

export const JOB_STATUSES = [
  'running',
  'deployed',
  'noop',
  'planned',
  'refused',
  'cancelled',
  'failed',
  'incomplete',
  'rolled_back',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface DeploymentJob {
  deploymentId: string;
  kind: 'deploy' | 'rollback';
  /** The arguments the job was started with. */
  request: Record<string, unknown>;
  status: JobStatus;
  startedAt: string;
  finishedAt?: string;
  /** The last progress step the engine reported. */
  progress?: { step: string; done: number; total: number; message?: string };
  /** The flow's JSON answer (the engine's report plus the tag) once finished. */
  result?: Record<string, unknown>;
  summary?: string;
  error?: { code: string; message: string; hint?: string };
}

export type JobRunner = (onProgress: (event: ProgressEvent) => void) => Promise<Answer>;

const FINISHED: ReadonlySet<string> = new Set(JOB_STATUSES.filter((s) => s !== 'running'));

export interface DeploymentRegistry {
  /** Registers a job and starts `run` in the background; DEPLOY_IN_PROGRESS while another runs. */
  start(
    kind: DeploymentJob['kind'],
    request: Record<string, unknown>,
    run: JobRunner,
  ): Promise<DeploymentJob>;
  /** JOB_NOT_FOUND for an id this registry never issued. */
  get(deploymentId: string): Promise<DeploymentJob>;
  /** Newest first. */
  list(): Promise<DeploymentJob[]>;
  /** Resolves once every job this process runs has finished (a server waits for it before it exits). */
  settled(): Promise<void>;
}

/** The jobs of this process, in memory: they live as long as the process. */
export class InProcessDeployments implements DeploymentRegistry {
  private readonly jobs = new Map<string, DeploymentJob>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly newId: () => string = randomUUID,
  ) {}

  async start(
    kind: DeploymentJob['kind'],
    request: Record<string, unknown>,
    run: JobRunner,
  ): Promise<DeploymentJob> {
    const active = [...this.jobs.values()].find((j) => j.status === 'running');
    if (active) {
      throw new FrontendOpsError('DEPLOY_IN_PROGRESS', `deployment ${active.deploymentId} is still running`, {
        hint: 'Poll get_deployment_status until it finishes, then try again.',
        data: { deploymentId: active.deploymentId },
      });
    }
    const job: DeploymentJob = {
      deploymentId: this.newId(),
      kind,
      request,
      status: 'running',
      startedAt: this.now().toISOString(),
    };
    this.jobs.set(job.deploymentId, job);
    const onProgress = (event: ProgressEvent) => {
      job.progress = {
        step: event.step,
        done: event.done,
        total: event.total,
        ...(event.message === undefined ? {} : { message: event.message }),
      };
    };
    const promise = run(onProgress)
      .then((answer) => this.settle(job, answer))
      .catch((error: unknown) => {
        const err = toFrontendOpsError(error);
        job.status = 'failed';
        job.summary = formatErrorText(err).split('\n')[0] ?? '';
        job.error = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
        job.finishedAt = this.now().toISOString();
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
    return { ...job };
  }

  private settle(job: DeploymentJob, answer: Answer): void {
    const status = String(answer.json.status);
    job.status = FINISHED.has(status) ? (status as JobStatus) : answer.ok ? 'deployed' : 'failed';
    job.result = answer.json;
    job.summary = answer.text.split('\n')[0] ?? '';
    if (answer.error) {
      job.error = {
        code: answer.error.code,
        message: String(answer.json.message ?? answer.error.message),
        ...(typeof answer.json.hint === 'string' ? { hint: answer.json.hint } : {}),
      };
    }
    job.finishedAt = this.now().toISOString();
  }

  async get(deploymentId: string): Promise<DeploymentJob> {
    const job = this.jobs.get(deploymentId);
    if (!job) {
      throw new FrontendOpsError('JOB_NOT_FOUND', `no deployment ${deploymentId} in this server`, {
        hint: 'Deployment ids live as long as the `frontendops mcp` process that started them; `frontendops history` lists recorded releases.',
        data: { deploymentId },
      });
    }
    return { ...job };
  }

  async list(): Promise<DeploymentJob[]> {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j }));
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
