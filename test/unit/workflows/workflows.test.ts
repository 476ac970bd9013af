import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../../agent/src/config/load.js';
import type { StdioMcpServerEntry } from '../../../agent/src/config/schema.js';

// Every workflow is checked twice: against GitHub's workflow schema by a maintained validator
// (action-validator), and for the security properties this repository promises (issue 7).

/** `${{ body }}`, a GitHub Actions expression, spelled so it cannot be mistaken for a JS template. */
const expression = (body: string) => `$\{{ ${body} }}`;

const WORKFLOWS_DIR = fileURLToPath(new URL('../../../.github/workflows/', import.meta.url));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps: Step[];
  if?: string;
  environment?: string;
  container?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS_DIR).filter((name) => /\.ya?ml$/.test(name));
const sources = new Map(files.map((name) => [name, readFileSync(join(WORKFLOWS_DIR, name), 'utf8')]));
const workflows = new Map([...sources].map(([name, text]) => [name, parse(text) as Workflow]));

function workflow(name: string): Workflow {
  const parsed = workflows.get(name);
  if (!parsed) throw new Error(`missing .github/workflows/${name}`);
  return parsed;
}
const allJobs = () =>
  [...workflows].flatMap(([file, wf]) => Object.entries(wf.jobs).map(([id, job]) => ({ file, id, job })));
const allSteps = () =>
  allJobs().flatMap(({ file, id, job }) => job.steps.map((step) => ({ file, id, step })));
const usesAws = (job: Job) =>
  job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
const stepNamed = (job: Job, name: string) => {
  const step = job.steps.find((s) => s.name === name);
  if (!step) throw new Error(`no step named ${name}`);
  return step;
};
const onlyJob = (name: string): Job => {
  const [job, ...rest] = Object.values(workflow(name).jobs);
  if (!job || rest.length > 0) throw new Error(`${name} should have exactly one job`);
  return job;
};

describe('the workflow set', () => {
  it('holds the three workflows of issue 7', () => {
    expect(files.sort()).toEqual(['build-dashboard.yml', 'ci.yml', 'deploy-dashboard.yml']);
  });

  it.each(files)('%s is valid for the GitHub workflow schema (action-validator)', (file) => {
    const state = validateWorkflow(sources.get(file) ?? '');
    expect(state.errors).toEqual([]);
  });

  it('action-validator does reject a broken workflow (the check above can fail)', () => {
    const state = validateWorkflow(
      'on: pushed\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: { bogus: write }\n',
    );
    expect(state.errors.length).toBeGreaterThan(0);
  });
});

describe('security properties', () => {
  it('uses no privileged triggers (pull_request_target, workflow_run)', () => {
    for (const [file, wf] of workflows) {
      expect(Object.keys(wf.on), file).not.toContain('pull_request_target');
      expect(Object.keys(wf.on), file).not.toContain('workflow_run');
    }
  });

  it('grants nothing at the top level', () => {
    for (const [file, wf] of workflows) expect(wf.permissions, file).toEqual({});
  });

  it('declares permissions on every job', () => {
    for (const { file, id, job } of allJobs()) {
      expect(typeof job.permissions, `${file} job ${id}`).toBe('object');
      expect(job.permissions, `${file} job ${id}`).not.toBeNull();
    }
  });

  it('asks for an OIDC token exactly in the jobs that assume an AWS role', () => {
    for (const { file, id, job } of allJobs()) {
      const permissions = job.permissions as Record<string, string>;
      expect(permissions['id-token'] === 'write', `${file} job ${id}`).toBe(usesAws(job));
    }
  });

  it('lets only the deploy job write to the repository (for its tag)', () => {
    const writers = allJobs()
      .filter(({ job }) => Object.values(job.permissions as Record<string, string>).includes('write'))
      .map(({ file, id, job }) => ({
        where: `${file}:${id}`,
        writes: Object.entries(job.permissions as Record<string, string>)
          .filter(([, level]) => level === 'write')
          .map(([scope]) => scope)
          .sort(),
      }));
    expect(writers).toEqual([
      { where: 'build-dashboard.yml:build', writes: ['id-token'] },
      { where: 'deploy-dashboard.yml:deploy', writes: ['contents', 'id-token'] },
    ]);
  });

  it('never uses long-lived AWS keys', () => {
    for (const [file, text] of sources) {
      expect(text, file).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\.AWS_/i);
    }
    for (const { file, step } of allSteps().filter(({ step }) => step.uses?.startsWith('aws-actions/'))) {
      expect(Object.keys(step.with ?? {}).sort(), file).toEqual([
        'aws-region',
        'role-session-name',
        'role-to-assume',
      ]);
      expect(step.with?.['role-to-assume'], file).toMatch(/^\$\{\{ vars\.(BUILD|DEPLOYER)_ROLE_ARN \}\}$/);
    }
  });

  it('pins every action to a full commit sha with the version in a comment', () => {
    const uses = [...sources].flatMap(([file, text]) =>
      text
        .split('\n')
        .filter((line) => /^\s*(-\s+)?uses:/.test(line))
        .map((line) => ({ file, line: line.trim() })),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const { file, line } of uses) {
      expect(line, file).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it('pins the same action to the same commit everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const { step } of allSteps()) {
      if (!step.uses) continue;
      const [action, ref] = step.uses.split('@') as [string, string];
      pins.set(action, (pins.get(action) ?? new Set()).add(ref));
    }
    for (const [action, refs] of pins) expect(refs.size, action).toBe(1);
  });

  it('does not leave the checkout token on disk', () => {
    const checkouts = allSteps().filter(({ step }) => step.uses?.startsWith('actions/checkout@'));
    expect(checkouts).toHaveLength(3);
    for (const { file, step } of checkouts) expect(step.with?.['persist-credentials'], file).toBe(false);
  });

  it('never splices GitHub expressions into run scripts (script injection)', () => {
    for (const { file, step } of allSteps()) {
      if (step.run) expect(step.run, `${file}: ${step.name}`).not.toMatch(/\$\{\{/);
    }
  });

  it('keeps dependency caches out of the jobs that hold cloud credentials', () => {
    for (const { file, job } of allJobs().filter(({ job }) => usesAws(job))) {
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/setup-node@'))) {
        expect(step.with?.['package-manager-cache'], file).toBe(false);
      }
      expect(
        job.steps.some((s) => s.uses?.startsWith('actions/cache@')),
        file,
      ).toBe(false);
    }
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const job = onlyJob('ci.yml');
  const runs = job.steps.flatMap((s) => (s.run ? [s.run.trim()] : []));

  it('runs on pull requests and pushes', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('installs from the lock file, then lints, typechecks and runs the whole test suite', () => {
    expect(runs).toEqual(
      expect.arrayContaining([
        'npm ci --no-audit --no-fund',
        'npm run lint',
        'npm run typecheck',
        'npm test',
      ]),
    );
    const order = ['npm ci', 'npm run lint', 'npm run typecheck', 'npm test'].map((cmd) =>
      runs.findIndex((run) => run.startsWith(cmd)),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('installs Chromium from the distribution for the e2e tests (no browser download)', () => {
    expect(job.container).toMatch(/^node:20-/);
    expect(runs.some((run) => /apt-get install -y .*\bchromium\b/.test(run))).toBe(true);
  });
});

describe('build-dashboard.yml', () => {
  const build = workflow('build-dashboard.yml');
  const job = onlyJob('build-dashboard.yml');

  it('runs on pushes to main that touch the dashboard', () => {
    expect(build.on).toEqual({ push: { branches: ['main'], paths: ['sophia-dashboard/**'] } });
  });

  it('builds with the pushed commit as DASHBOARD_COMMIT, before any AWS credential exists', () => {
    const buildStep = stepNamed(job, 'Build the dashboard');
    expect(buildStep.env?.DASHBOARD_COMMIT).toBe(expression('github.sha'));
    expect(buildStep.run).toBe('npm run build -w sophia-dashboard');
    const awsIndex = job.steps.findIndex((s) => s.uses?.startsWith('aws-actions/'));
    expect(job.steps.indexOf(buildStep)).toBeLessThan(awsIndex);
    expect(stepNamed(job, 'Assume the build role').with?.['role-to-assume']).toBe(
      expression('vars.BUILD_ROLE_ARN'),
    );
  });

  it('publishes sophia-dashboard/dist for $GITHUB_SHA with the generated config', () => {
    expect(stepNamed(job, 'Publish the build').run).toBe(
      'npx --no -- frontendops publish sophia-dashboard/dist --commit "$GITHUB_SHA" --config "$FRONTENDOPS_CONFIG"',
    );
  });
});

describe('deploy-dashboard.yml', () => {
  const deploy = workflow('deploy-dashboard.yml');
  const job = onlyJob('deploy-dashboard.yml');

  it('runs on a schedule and by hand with a commit and a dry-run switch', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(deploy.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \S+ \S+ \S+$/) }]);
    const dispatch = deploy.on.workflow_dispatch as {
      inputs: Record<string, { type: string; required: boolean }>;
    };
    expect(dispatch.inputs.commit).toMatchObject({ type: 'string', required: false });
    expect(dispatch.inputs['dry-run']).toMatchObject({ type: 'boolean', required: false });
  });

  it('queues deploys of the stack one at a time and never cancels one in progress', () => {
    expect(deploy.concurrency).toEqual({
      group: 'deploy-dashboard-hosting-prod',
      'cancel-in-progress': false,
    });
  });

  it('deploys only from main, through the protected environment, as the deployer role', () => {
    expect(job.if).toBe("github.ref == 'refs/heads/main'");
    expect(job.environment).toBe('dashboard-hosting-prod');
    expect(stepNamed(job, 'Assume the deployer role').with?.['role-to-assume']).toBe(
      expression('vars.DEPLOYER_ROLE_ARN'),
    );
  });

  it('runs `frontendops deploy --yes --json` with --commit and --dry-run only when asked', () => {
    const step = stepNamed(job, 'Deploy');
    expect(step.env).toEqual({ COMMIT: expression('inputs.commit'), DRY_RUN: expression('inputs.dry-run') });
    const script = step.run ?? '';
    expect(script).toContain('args=(deploy --yes --json --config "$FRONTENDOPS_CONFIG")');
    expect(script).toMatch(/if \[ -n "\$COMMIT" \]; then[\s\S]*args\+=\(--commit "\$COMMIT"\)/);
    expect(script).toMatch(/\^\[0-9a-fA-F\]\{7,40\}\$/);
    expect(script).toMatch(/if \[ "\$DRY_RUN" = "true" \]; then\s+args\+=\(--dry-run\)/);
    expect(script).toMatch(/npx --no -- frontendops "\$\{args\[@\]\}" > "\$result"/);
  });

  it('writes the JSON result to the job summary even when the deploy fails, then fails the step', () => {
    const script = stepNamed(job, 'Deploy').run ?? '';
    expect(script).toMatch(/set \+e\s+npx --no -- frontendops[\s\S]*status=\$\?\s+set -e/);
    expect(script).toMatch(/cat "\$result"[\s\S]*>> "\$GITHUB_STEP_SUMMARY"/);
    expect(script.trim().endsWith('exit "$status"')).toBe(true);
  });
});

describe('the generated FrontendOps config', () => {
  const SECRET_AWS = {
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 's3cr3t',
    AWS_SESSION_TOKEN: 'session',
  };
  const BASE_ENV = {
    GITHUB_WORKSPACE: '/home/runner/work/sophia/sophia',
    GITHUB_REPOSITORY: 'sophia-ai/sophia',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_TOKEN: 'ghs_jobtoken',
    AWS_REGION: 'eu-west-1',
    ...SECRET_AWS,
  };

  function configScript(job: Job): string {
    const run = stepNamed(job, 'Write the FrontendOps config').run ?? '';
    const match = /<<'JS'\n([\s\S]*?)\nJS\s*$/.exec(run);
    if (!match?.[1]) throw new Error('the config step has no JS heredoc');
    return match[1];
  }

  /** Runs the step's script in-process against a fake `process`: no shell, no files. */
  function runConfigScript(script: string, env: Record<string, string>) {
    let stdout = '';
    let stderr = '';
    let exitCode: number | undefined;
    const fakeProcess = {
      env,
      execPath: '/opt/node/bin/node',
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      exit: (code: number) => {
        exitCode = code;
        throw new Error('exit');
      },
    };
    try {
      new Function('process', script)(fakeProcess);
    } catch (error) {
      if (exitCode === undefined) throw error;
    }
    return { stdout, stderr, exitCode };
  }

  const script = configScript(onlyJob('deploy-dashboard.yml'));

  it('is the same script in the build and the deploy workflow', () => {
    expect(configScript(onlyJob('build-dashboard.yml'))).toBe(script);
  });

  it('is written after the role is assumed, to a file only the job can read, removed at the end', () => {
    for (const name of ['build-dashboard.yml', 'deploy-dashboard.yml']) {
      const job = onlyJob(name);
      const step = stepNamed(job, 'Write the FrontendOps config');
      const awsIndex = job.steps.findIndex((s) => s.uses?.startsWith('aws-actions/'));
      expect(job.steps.indexOf(step), name).toBeGreaterThan(awsIndex);
      expect(step.run, name).toContain('umask 077');
      expect(stepNamed(job, 'Remove the config'), name).toMatchObject({
        if: 'always()',
        run: 'rm -f "$RUNNER_TEMP/frontendops.config.json"',
      });
    }
  });

  it('produces a valid config for a self-managed s3:// Pulumi backend', () => {
    const { stdout, exitCode } = runConfigScript(script, {
      ...BASE_ENV,
      PULUMI_BACKEND_URL: 's3://sophia-pulumi-state/dashboard',
      PULUMI_ACCESS_TOKEN: 'pul-unused',
    });
    expect(exitCode).toBeUndefined();
    const config = parseConfig(JSON.parse(stdout));
    expect(config.stacks).toEqual([
      expect.objectContaining({
        name: 'dashboard-hosting-prod',
        workDir: '/home/runner/work/sophia/sophia/stacks/dashboard-hosting-prod',
        backend: { kind: 'state', url: 's3://sophia-pulumi-state/dashboard' },
        aws: expect.objectContaining({ region: 'eu-west-1', sandboxCredentials: false }),
      }),
    ]);
    expect(config.github).toMatchObject({ owner: 'sophia-ai', repo: 'sophia' });
    expect(config.mcpServers.pulumi).toMatchObject({
      command: '/opt/node/bin/node',
      args: ['/home/runner/work/sophia/sophia/agent/bin/frontendops-pulumi-mcp.js'],
    });
  });

  it('hands each credential only to the server that needs it', () => {
    const { stdout } = runConfigScript(script, {
      ...BASE_ENV,
      PULUMI_BACKEND_URL: 's3://sophia-pulumi-state',
      PULUMI_ACCESS_TOKEN: 'pul-unused',
    });
    const config = parseConfig(JSON.parse(stdout));
    expect((config.mcpServers.pulumi as StdioMcpServerEntry | undefined)?.env).toEqual({
      AWS_REGION: 'eu-west-1',
      FRONTENDOPS_PULUMI_BACKEND: 'state',
      PULUMI_BACKEND_URL: 's3://sophia-pulumi-state',
      ...SECRET_AWS,
    });
    expect((config.mcpServers.github as StdioMcpServerEntry | undefined)?.env).toEqual({
      FRONTENDOPS_GITHUB_BACKEND: 'octokit',
      GITHUB_TOKEN: 'ghs_jobtoken',
      GITHUB_API_URL: 'https://api.github.com',
    });
    // A self-managed backend needs no Pulumi token: it is not written anywhere.
    expect(stdout).not.toContain('pul-unused');
  });

  it('produces a valid Pulumi Cloud config when an organization is set instead', () => {
    const { stdout } = runConfigScript(script, {
      ...BASE_ENV,
      PULUMI_ORGANIZATION: 'sophia-ai',
      PULUMI_ACCESS_TOKEN: 'pul-token',
    });
    const config = parseConfig(JSON.parse(stdout));
    expect(config.stacks[0]?.backend).toEqual({
      kind: 'cloud',
      organization: 'sophia-ai',
      project: 'dashboard-hosting-prod',
      apiUrl: 'https://api.pulumi.com',
    });
    expect((config.mcpServers.pulumi as StdioMcpServerEntry | undefined)?.env).toMatchObject({
      FRONTENDOPS_PULUMI_BACKEND: 'cloud',
      PULUMI_BACKEND_URL: 'https://api.pulumi.com',
      PULUMI_ACCESS_TOKEN: 'pul-token',
    });
  });

  it('stops with an error naming the missing repository variables', () => {
    const { GITHUB_WORKSPACE, GITHUB_REPOSITORY } = BASE_ENV;
    const { stdout, stderr, exitCode } = runConfigScript(script, { GITHUB_WORKSPACE, GITHUB_REPOSITORY });
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      '::error::Set the repository variables: AWS_REGION; PULUMI_BACKEND_URL (s3://...)',
    );
  });
});
