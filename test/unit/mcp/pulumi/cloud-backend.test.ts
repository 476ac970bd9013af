import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCloudBackend } from '../../../../agent/src/mcp/pulumi/backends/cloud.js';
import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from '../../../../agent/src/mcp/pulumi/backends/deployment.js';

const API = 'https://api.pulumi.example';
const TOKEN = 'pul-0123456789abcdef-do-not-echo';
const mock = setupServer();
const seen: Array<{ url: string; authorization: string | null; accept: string | null }> = [];

beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  mock.resetHandlers();
  seen.length = 0;
});
afterAll(() => mock.close());

function exportBody(outputs: Record<string, unknown>) {
  return {
    version: 3,
    deployment: {
      manifest: { time: '2025-01-01T00:00:00Z', magic: 'x', version: 'v3.200.0' },
      secrets_providers: { type: 'service' },
      resources: [
        {
          urn: 'urn:pulumi:prod::proj::pulumi:providers:aws::default',
          type: 'pulumi:providers:aws',
          outputs: {},
        },
        {
          urn: 'urn:pulumi:prod::proj::pulumi:pulumi:Stack::proj-prod',
          type: 'pulumi:pulumi:Stack',
          outputs,
        },
      ],
    },
  };
}

function record(request: Request) {
  seen.push({
    url: request.url,
    authorization: request.headers.get('authorization'),
    accept: request.headers.get('accept'),
  });
}

describe('cloud backend (Pulumi Cloud REST, at the HTTP level)', () => {
  it('GETs /api/stacks/{org}/{project}/{stack}/export with the token header and reads the Stack outputs', async () => {
    mock.use(
      http.get(`${API}/api/stacks/sophia/proj/prod/export`, ({ request }) => {
        record(request);
        return HttpResponse.json(
          exportBody({
            url: 'https://d1.cloudfront.net',
            key: { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ciphertext: 'AAAB' },
          }),
        );
      }),
    );
    const backend = createCloudBackend({ apiUrl: API, token: TOKEN, organization: undefined });
    const outputs = await backend.readOutputs(
      { organization: 'sophia', project: 'proj', stack: 'prod' },
      undefined,
    );
    expect(outputs).toEqual({
      url: { value: 'https://d1.cloudfront.net', secret: false, encrypted: false },
      key: { value: undefined, secret: true, encrypted: true },
    });
    expect(seen).toEqual([
      {
        url: `${API}/api/stacks/sophia/proj/prod/export`,
        authorization: `token ${TOKEN}`,
        accept: 'application/vnd.pulumi+8',
      },
    ]);
  });

  it('without an organization: the configured one, else the token user from GET /api/user', async () => {
    mock.use(
      http.get(`${API}/api/user`, ({ request }) => {
        record(request);
        return HttpResponse.json({ githubLogin: 'octo', name: 'Octo' });
      }),
      http.get(`${API}/api/stacks/:org/proj/prod/export`, ({ request }) => {
        record(request);
        return HttpResponse.json(exportBody({ url: 'https://x.example' }));
      }),
    );
    await createCloudBackend({ apiUrl: API, token: TOKEN, organization: undefined }).readOutputs(
      { organization: undefined, project: 'proj', stack: 'prod' },
      undefined,
    );
    expect(seen.map((s) => s.url)).toEqual([`${API}/api/user`, `${API}/api/stacks/octo/proj/prod/export`]);
    seen.length = 0;
    await createCloudBackend({ apiUrl: API, token: TOKEN, organization: 'team' }).readOutputs(
      { organization: undefined, project: 'proj', stack: 'prod' },
      undefined,
    );
    expect(seen.map((s) => s.url)).toEqual([`${API}/api/stacks/team/proj/prod/export`]);
  });

  it.each([
    [404, 'STACK_NOT_FOUND'],
    [401, 'PULUMI_BACKEND_ERROR'],
    [403, 'PULUMI_BACKEND_ERROR'],
    [503, 'PULUMI_BACKEND_ERROR'],
  ])('HTTP %i → %s, and the token appears in no message, hint or data', async (status, code) => {
    mock.use(
      http.get(`${API}/api/stacks/sophia/proj/prod/export`, () =>
        HttpResponse.json({ code: status, message: `token ${TOKEN} rejected` }, { status }),
      ),
    );
    const error = (await createCloudBackend({ apiUrl: API, token: TOKEN, organization: 'sophia' })
      .readOutputs({ organization: 'sophia', project: 'proj', stack: 'prod' }, undefined)
      .catch((e: unknown) => e)) as Error & { code: string; hint?: string; data?: unknown };
    expect(error.code).toBe(code);
    expect(JSON.stringify({ message: error.message, hint: error.hint, data: error.data })).not.toContain(
      TOKEN,
    );
  });

  it('a network failure → PULUMI_BACKEND_ERROR without the token', async () => {
    mock.use(http.get(`${API}/api/stacks/sophia/proj/prod/export`, () => HttpResponse.error()));
    const error = (await createCloudBackend({ apiUrl: API, token: TOKEN, organization: 'sophia' })
      .readOutputs({ organization: 'sophia', project: 'proj', stack: 'prod' }, undefined)
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe('PULUMI_BACKEND_ERROR');
    expect(error.message).not.toContain(TOKEN);
  });

  it('encodes path parts (names are validated upstream, encoding is defence in depth)', async () => {
    mock.use(
      http.get(`${API}/api/stacks/a%20b/proj/prod/export`, ({ request }) => {
        record(request);
        return HttpResponse.json(exportBody({}));
      }),
    );
    await createCloudBackend({ apiUrl: API, token: TOKEN, organization: undefined }).readOutputs(
      { organization: 'a b', project: 'proj', stack: 'prod' },
      undefined,
    );
    expect(seen).toHaveLength(1);
  });
});
