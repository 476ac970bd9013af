import { describe, expect, it } from 'vitest';
import { describeConfig, resolvePulumiServerConfig } from '../../../../agent/src/mcp/pulumi/config.js';

function resolve(env: Record<string, string>, argv: string[] = []) {
  return resolvePulumiServerConfig(argv, env);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('resolvePulumiServerConfig', () => {
  it('the sandbox env: file:// state backend, loopback endpoints, path-style S3, fast polling', () => {
    const config = resolve({
      PULUMI_BACKEND_URL: 'file:///tmp/sb/pulumi-state',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_CLOUDFRONT: 'http://127.0.0.1:4567',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566',
      AWS_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.backend).toEqual({ kind: 'state', url: 'file:///tmp/sb/pulumi-state' });
    expect(config.aws).toEqual({
      region: 'us-east-1',
      s3Endpoint: 'http://127.0.0.1:4566',
      cloudfrontEndpoint: 'http://127.0.0.1:4567',
      forcePathStyle: true,
    });
    expect(config.poll.minSeconds).toBeLessThan(1);
    expect(config.project).toBe('dashboard-hosting-prod');
    expect(config.allowSecrets).toBe(false);
  });

  it('s3:// → state; real AWS polls at the gentle default', () => {
    const config = resolve({ PULUMI_BACKEND_URL: 's3://state-bucket/pulumi' });
    expect(config.backend).toEqual({ kind: 'state', url: 's3://state-bucket/pulumi' });
    expect(config.poll.minSeconds).toBeGreaterThanOrEqual(1);
  });

  it('https://api.pulumi.com, or no URL with a token → cloud; the token is never described', () => {
    expect(
      resolve({ PULUMI_BACKEND_URL: 'https://api.pulumi.com/', PULUMI_ACCESS_TOKEN: 'pul-abc' }).backend,
    ).toEqual({
      kind: 'cloud',
      apiUrl: 'https://api.pulumi.com',
      token: 'pul-abc',
      organization: undefined,
    });
    const config = resolve({ PULUMI_ACCESS_TOKEN: 'pul-secret', FRONTENDOPS_PULUMI_ORG: 'sophia' });
    expect(config.backend).toMatchObject({
      kind: 'cloud',
      apiUrl: 'https://api.pulumi.com',
      organization: 'sophia',
    });
    expect(describeConfig(config)).not.toContain('pul-secret');
  });

  it('https://app.pulumi.com (the console URL) means the managed API', () => {
    expect(
      resolve({ PULUMI_BACKEND_URL: 'https://app.pulumi.com', PULUMI_ACCESS_TOKEN: 't' }).backend,
    ).toMatchObject({
      apiUrl: 'https://api.pulumi.com',
    });
  });

  it('nothing set → automation', () => {
    expect(resolve({}).backend).toEqual({ kind: 'automation' });
  });

  it('FRONTENDOPS_PULUMI_BACKEND and --backend override the inference', () => {
    expect(
      resolve({ FRONTENDOPS_PULUMI_BACKEND: 'automation', PULUMI_BACKEND_URL: 'file:///x' }).backend.kind,
    ).toBe('automation');
    expect(resolve({ PULUMI_BACKEND_URL: 'file:///x' }, ['--backend', 'automation']).backend.kind).toBe(
      'automation',
    );
  });

  it.each([
    [{ FRONTENDOPS_PULUMI_BACKEND: 'magic' }],
    [{ FRONTENDOPS_PULUMI_BACKEND: 'state' }],
    [{ FRONTENDOPS_PULUMI_BACKEND: 'cloud' }],
    [{ PULUMI_BACKEND_URL: 'https://api.pulumi.com' }],
    [{ FRONTENDOPS_PULUMI_PROJECT: '../x' }],
    [{ AWS_ENDPOINT_URL_S3: 'not a url' }],
    [{ FRONTENDOPS_INVALIDATION_POLL_SECONDS: '0' }],
  ])('refuses %j with CONFIG_INVALID', (env) => {
    expect(codeOf(() => resolve(env))).toBe('CONFIG_INVALID');
  });

  it('refuses unknown flags', () => {
    expect(codeOf(() => resolve({}, ['--token', 'x']))).toBe('CONFIG_INVALID');
  });

  it('secrets may be shown only when the env or a flag says so', () => {
    expect(resolve({ FRONTENDOPS_PULUMI_ALLOW_SECRETS: 'true' }).allowSecrets).toBe(true);
    expect(resolve({ FRONTENDOPS_PULUMI_ALLOW_SECRETS: 'no' }).allowSecrets).toBe(false);
    expect(resolve({}, ['--allow-secrets']).allowSecrets).toBe(true);
  });
});
