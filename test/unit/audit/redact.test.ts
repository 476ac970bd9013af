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

/**
 * Fake credentials are built at run time, so the repository never holds a string that looks like a
 * real one (`git grep` for AWS key ids, GitHub tokens or private keys finds nothing).
 */
const fake = {
  awsKeyId: `AKIA${'IOSFODNN7EXAMPLE'}`,
  awsTempKeyId: `ASIA${'Q'.repeat(16)}`,
  awsSecret: `${'wJalrXUtnFEMI'}/${'K7MDENG'}/${'bPxRfiCYEXAMPLEKEY'}`,
  ghp: `ghp_${'abcdefghijklmnopqrstuvwxyz0123456789'}`,
  gho: `gho_${'A1b2'.repeat(9)}`,
  ghu: `ghu_${'Z9y8'.repeat(9)}`,
  ghs: `ghs_${'x'.repeat(36)}`,
  ghr: `ghr_${'r'.repeat(20)}${'0'.repeat(16)}`,
  githubPat: `github_pat_${'11ABCDEFG0123456789'}_${'abcdefghijklmnopqrstuv'}`,
  pulumi: `pul-${'0123456789abcdef'.repeat(2)}01234567`,
  anthropic: `sk-ant-${'api03-'}${'A'.repeat(40)}`,
  openai: `sk-${'proj-'}${'b'.repeat(40)}`,
  jwt: `eyJ${'hbGciOiJIUzI1NiJ9'}.${'eyJzdWIiOiIxIn0'}.${'c2lnbmF0dXJlLXZhbHVl'}`,
  pem: `-----BEGIN ${'RSA'} PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END ${'RSA'} PRIVATE KEY-----`,
};

describe('createRedactor', () => {
  const redactor = createRedactor();

  it.each([
    ['AWS access key id', `key ${fake.awsKeyId} used`, fake.awsKeyId],
    ['AWS temporary key id', `ASIA: ${fake.awsTempKeyId}`, fake.awsTempKeyId],
    ['AWS secret access key', `aws ${fake.awsSecret} here`, fake.awsSecret],
    ['classic GitHub token', `auth ${fake.ghp} ok`, fake.ghp],
    ['GitHub OAuth token', `x ${fake.gho}`, fake.gho],
    ['GitHub user-to-server token', `x ${fake.ghu}`, fake.ghu],
    ['GitHub server-to-server token', `x ${fake.ghs}`, fake.ghs],
    ['GitHub refresh token', `x ${fake.ghr}`, fake.ghr],
    ['fine-grained GitHub PAT', fake.githubPat, 'github_pat_11ABCDEFG'],
    ['Pulumi token', `PULUMI ${fake.pulumi}`, 'pul-0123456789abcdef'],
    ['Anthropic key', `key=${fake.anthropic}`, fake.anthropic.slice(0, 20)],
    ['OpenAI key', `using ${fake.openai}`, fake.openai.slice(0, 20)],
    ['JSON web token', `cookie ${fake.jwt}`, fake.jwt],
    ['PEM private key', `key:\n${fake.pem}\n`, 'MIIBOgIBAAJBAK'],
    ['bearer header', 'Authorization: Bearer abc.def.ghi-jklmnop', 'abc.def.ghi-jklmnop'],
    [
      'presigned URL signature',
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=deadbeefcafe0123&x=1',
      'deadbeefcafe0123',
    ],
    [
      'presigned URL credential',
      'https://b/k?X-Amz-Credential=ASIAXXX%2F20261123%2Fus-east-1&a=1',
      'ASIAXXX%2F2026',
    ],
    ['signed query (sig=)', 'https://cdn.example/a.js?sig=Zm9vYmFyYmF6cXV4&exp=1', 'Zm9vYmFyYmF6cXV4'],
    [
      'URL with a password',
      'git clone https://deployer:s3cr3t-passw0rd@github.com/o/r.git',
      's3cr3t-passw0rd',
    ],
    ['inline password', 'postgres password=hunter2hunter2 host=db', 'hunter2hunter2'],
  ])('removes a %s from text', (_label, input, secret) => {
    const out = redactor.text(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  // Observed: a token glued to a word ("t_ghp_…") passed the redaction. Tokens are found wherever
  // they start: after "_", "-", "=", ":", "/" or letters.
  it.each([
    ['after an underscore', `t_${fake.ghp}`],
    ['after a dash', `requester-${fake.ghp}`],
    ['after an equals sign', `FRONTENDOPS_REQUESTER=${fake.ghp}`],
    ['after a colon', `user:${fake.ghp}`],
    ['after a slash', `refs/${fake.ghp}`],
    ['glued to letters', `abc${fake.ghp}`],
    ['followed by an underscore', `${fake.ghp}_suffix`],
    ['a fine-grained PAT after an underscore', `x_${fake.githubPat}`],
    ['an AWS key id glued to a word', `key${fake.awsKeyId}x`],
    ['an Anthropic key after an underscore', `k_${fake.anthropic}`],
    ['a Pulumi token after an equals sign', `PULUMI_ACCESS_TOKEN=${fake.pulumi}`],
  ])('finds a token %s', (_label, input) => {
    const out = redactor.text(input);
    expect(out).toContain(REDACTED);
    for (const secret of Object.values(fake)) expect(out).not.toContain(secret.slice(4, 24));
  });

  it.each([
    ['a commit sha', 'deploy 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 now'],
    ['a deploy tag', 'dashboard-deploy-20261123-1'],
    ['a release id', '20261123T100000Z-3f2a9c1'],
    [
      'words with sk- and pul- inside',
      'task-runner-abcdefghijklmnopqrstuvwxyz and ampul-abcdefghijklmnopqrstu',
    ],
    ['an S3 URI', 's3://sophia-dashboard-hosting-prod-3c4d/assets/app-1a2b3c4d.js'],
    ['an invalidation id', 'invalidation I2J5K7L9M1N3P5Q7'],
  ])('leaves %s alone', (_label, input) => {
    expect(redactor.text(input)).toBe(input);
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
      nested: { headers: { authorization: 'Basic xyz' }, note: fake.ghp },
      list: [fake.awsKeyId, 3, null],
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
