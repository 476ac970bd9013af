import { describe, expect, it } from 'vitest';
import {
  type AutomationStack,
  createAutomationBackend,
  findPulumiCli,
  type WorkspaceRequest,
} from '../../../../agent/src/mcp/pulumi/backends/automation.js';

function stack(outputs: Record<string, { value: unknown; secret: boolean }>): AutomationStack {
  return {
    name: 'prod',
    outputs: async () => outputs,
    preview: async () => ({ changeSummary: {}, stdout: '' }),
    up: async () => ({ stdout: '', outputs: {}, summary: { result: 'succeeded' } }),
    refresh: async () => ({ stdout: '', summary: { result: 'succeeded' } }),
  };
}

describe('automation backend (injected workspace factory)', () => {
  it('selects the stack through the factory and keeps the secret flags', async () => {
    const requests: WorkspaceRequest[] = [];
    const backend = createAutomationBackend({
      findCli: async () => '/usr/bin/pulumi',
      factory: async (request) => {
        requests.push(request);
        return stack({ url: { value: 'u', secret: false }, token: { value: 't', secret: true } });
      },
    });
    const outputs = await backend.readOutputs(
      { organization: 'org', project: 'proj', stack: 'prod' },
      undefined,
    );
    expect(outputs).toEqual({
      url: { value: 'u', secret: false, encrypted: false },
      token: { value: 't', secret: true, encrypted: false },
    });
    expect(requests).toEqual([{ workDir: undefined, project: 'proj', stackName: 'org/proj/prod' }]);
  });

  it('PULUMI_CLI_MISSING before touching the factory when there is no CLI', async () => {
    let called = false;
    const backend = createAutomationBackend({
      findCli: async () => undefined,
      factory: async () => {
        called = true;
        return stack({});
      },
    });
    await expect(
      backend.readOutputs({ organization: undefined, project: 'p', stack: 's' }, '/w'),
    ).rejects.toMatchObject({
      code: 'PULUMI_CLI_MISSING',
    });
    expect(called).toBe(false);
  });

  it('a CLI error naming a missing stack → STACK_NOT_FOUND; anything else → PULUMI_BACKEND_ERROR', async () => {
    const failing = (message: string) =>
      createAutomationBackend({
        findCli: async () => '/usr/bin/pulumi',
        factory: async () => {
          throw new Error(message);
        },
      }).readOutputs({ organization: undefined, project: 'p', stack: 's' }, '/w');
    await expect(failing("error: no stack named 's' found")).rejects.toMatchObject({
      code: 'STACK_NOT_FOUND',
    });
    await expect(failing('error: failed to decrypt')).rejects.toMatchObject({ code: 'PULUMI_BACKEND_ERROR' });
  });
});

describe('findPulumiCli', () => {
  it('looks on PATH, then in $PULUMI_HOME/bin', async () => {
    const checked: string[] = [];
    const found = await findPulumiCli({ PATH: '/a:/b', PULUMI_HOME: '/home/u/.pulumi' }, async (path) => {
      checked.push(path);
      return path === '/home/u/.pulumi/bin/pulumi';
    });
    expect(found).toBe('/home/u/.pulumi/bin/pulumi');
    expect(checked).toEqual(['/a/pulumi', '/b/pulumi', '/home/u/.pulumi/bin/pulumi']);
    expect(await findPulumiCli({ PATH: '/a', PULUMI_HOME: '/none' }, async () => false)).toBeUndefined();
  });
});
