import { randomUUID } from 'node:crypto';
import type { Answer } from '../../agent/dispatch.js';
import type { ProgressEvent } from '../../deploy/pipeline.js';
import { FrontendOpsError, toFrontendOpsError } from '../../errors.js';

/**
 * The start-then-poll pattern of the original orchestrator: `deploy_dashboard` registers a job and
 * returns its id at once; the job runs in this process; `get_deployment_status` reads it. One job at a
 * time (per server process and stack): a second request while one runs is refused with the running
 * id, rather than queued behind a deploy the caller cannot see. Durable, multi-process orchestration
 * belongs on a workflow engine (design §9), not here.
 */

export type JobStatus =
  | 'running'
  | 'deployed'
  | 'noop'
  | 'planned'
  | 'incomplete'
  | 'rolled_back'
  | 'refused'
  | 'cancelled'
  | 'failed';

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
  /** The flow's JSON answer (issue 3's report plus tag) once finished. */
  result?: Record<string, unknown>;
  summary?: string;
  error?: { code: string; message: string; hint?: string };
}

export type JobRunner = (onProgress: (event: ProgressEvent) => void) => Promise<Answer>;

const FINISHED: ReadonlySet<string> = new Set([
  'deployed',
  'noop',
  'planned',
  'incomplete',
  'rolled_back',
  'refused',
  'cancelled',
  'failed',
]);

export class Deployments {
  private readonly jobs = new Map<string, DeploymentJob>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly newId: () => string = randomUUID,
  ) {}

  start(kind: DeploymentJob['kind'], request: Record<string, unknown>, run: JobRunner): DeploymentJob {
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

  get(deploymentId: string): DeploymentJob {
    const job = this.jobs.get(deploymentId);
    if (!job) {
      throw new FrontendOpsError('BAD_INPUT', `no deployment ${deploymentId} in this server`, {
        hint: 'Deployment ids live as long as the `frontendops mcp` process; list_deployments shows them.',
      });
    }
    return { ...job };
  }

  /** Newest first. */
  list(): DeploymentJob[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j }));
  }

  /** Resolves once every job has finished (the server waits for this before it exits). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
