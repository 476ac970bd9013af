import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  isSecretName,
  REDACTED,
  secretValuesFromEnv,
} from '../../../agent/src/audit/redact.js';

describe('isSecretName', () => {
  it.each([
    'token',
    'GITHUB_TOKEN',
    'secretAccessKey',
    'AWS_SECRET_ACCESS_KEY',
    'Authorization',
    'x-api-key',
    'password',
    'key',
    'PULUMI_ACCESS_TOKEN',
    'X-Amz-Signature',
  ])('treats %s as secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each(['sha', 'owner', 'repo', 'tag', 'message', 'paths', 'stackName', 'outputName', 'commit'])(
    'leaves %s alone',
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );
});

describe('createRedactor', () => {
  const redactor = createRedactor();

  it.each([
    ['AWS access key id', 'key AKIAIOSFODNN7EXAMPLE used', 'AKIAIOSFODNN7EXAMPLE'],
    [
      'classic GitHub token',
      'auth ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    ],
    [
      'fine-grained GitHub PAT',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv',
      'github_pat_11ABCDEFG',
    ],
    ['Pulumi token', 'PULUMI pul-0123456789abcdef0123456789abcdef01234567', 'pul-0123456789abcdef'],
    ['bearer header', 'Authorization: Bearer abc.def.ghi-jklmnop', 'abc.def.ghi-jklmnop'],
    [
      'presigned URL signature',
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=deadbeefcafe0123&x=1',
      'deadbeefcafe0123',
    ],
    ['inline password', 'postgres password=hunter2hunter2 host=db', 'hunter2hunter2'],
  ])('removes a %s from text', (_label, input, secret) => {
    const out = redactor.text(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('keeps the readable part of a presigned URL', () => {
    const out = redactor.text('https://h/k?X-Amz-Signature=abcdef123456&versionId=3');
    expect(out).toBe(`https://h/k?X-Amz-Signature=${REDACTED}&versionId=3`);
  });

  it('removes known secret values that have no recognisable shape', () => {
    const known = createRedactor(['correct-horse-battery', 'short']);
    expect(known.text('the value correct-horse-battery leaked')).toBe(`the value ${REDACTED} leaked`);
    // Values shorter than six characters would redact ordinary words; they are not matched.
    expect(known.text('a short word')).toBe('a short word');
  });

  it('replaces secret-named fields whole and redacts nested strings', () => {
    const out = redactor.value({
      owner: 'sophia-ai',
      token: 'anything at all',
      nested: { headers: { authorization: 'Basic xyz' }, note: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' },
      list: ['AKIAIOSFODNN7EXAMPLE', 3, null],
    });
    expect(out).toEqual({
      owner: 'sophia-ai',
      token: REDACTED,
      nested: { headers: { authorization: REDACTED }, note: REDACTED },
      list: [REDACTED, 3, null],
    });
  });

  it('collects the values of secret-named environment variables', () => {
    expect(
      secretValuesFromEnv({
        GITHUB_TOKEN: 'ghp_secretvalue',
        HOME: '/home/x',
        AWS_SECRET_ACCESS_KEY: 'abc',
        PATH: '/bin',
      }),
    ).toEqual(['ghp_secretvalue']);
  });
});
