import { describe, expect, it } from 'vitest';
import {
  decodeOutputs,
  outputsFromDeployment,
  SECRET_SIG_KEY,
  SECRET_SIG_VALUE,
} from '../../../../agent/src/mcp/pulumi/backends/deployment.js';
import { presentOutputs } from '../../../../agent/src/mcp/pulumi/outputs.js';

const secret = (plaintext: unknown) => ({
  [SECRET_SIG_KEY]: SECRET_SIG_VALUE,
  plaintext: JSON.stringify(plaintext),
});
const encrypted = { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ciphertext: 'v1:nonce:data' };

describe('decodeOutputs', () => {
  it('plain values pass through', () => {
    expect(decodeOutputs({ a: 1, b: { c: [1, 'x'] } })).toEqual({
      a: { value: 1, secret: false, encrypted: false },
      b: { value: { c: [1, 'x'] }, secret: false, encrypted: false },
    });
  });

  it('a plaintext secret anywhere inside marks the output secret and keeps its value', () => {
    expect(decodeOutputs({ db: { host: 'h', password: secret('p@ss') } }).db).toEqual({
      value: { host: 'h', password: 'p@ss' },
      secret: true,
      encrypted: false,
    });
  });

  it('an encrypted secret has no value', () => {
    expect(decodeOutputs({ key: encrypted, list: ['a', encrypted] })).toEqual({
      key: { value: undefined, secret: true, encrypted: true },
      list: { value: undefined, secret: true, encrypted: true },
    });
  });

  it('presentOutputs masks secrets unless revealed, and encrypted ones always', () => {
    const raw = decodeOutputs({ a: 'x', s: secret('y'), e: encrypted });
    expect(presentOutputs(raw, false)).toEqual({ a: 'x', s: '[secret]', e: '[secret]' });
    expect(presentOutputs(raw, true)).toEqual({ a: 'x', s: 'y', e: '[secret]' });
  });
});

describe('outputsFromDeployment', () => {
  it('reads only the root pulumi:pulumi:Stack resource', () => {
    const deployment = {
      resources: [
        { type: 'aws:s3/bucket:Bucket', outputs: { arn: 'arn:aws:s3:::b' } },
        { type: 'pulumi:pulumi:Stack', outputs: { url: 'u' } },
      ],
    };
    expect(outputsFromDeployment(deployment, 's')).toEqual({
      url: { value: 'u', secret: false, encrypted: false },
    });
  });

  it('a destroyed or never-deployed stack → STACK_OUTPUT_INVALID', () => {
    expect(() => outputsFromDeployment({ resources: [] }, 's')).toThrow(/no deployed resources/);
    expect(() => outputsFromDeployment(undefined, 's')).toThrow(/no deployed resources/);
  });
});
