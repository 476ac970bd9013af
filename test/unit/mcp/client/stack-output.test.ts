import { describe, expect, it } from 'vitest';
import { isFrontendOpsError } from '../../../../agent/src/errors.js';
import {
  parseOfficialOutputList,
  parseStackOutputResult,
} from '../../../../agent/src/mcp/client/stack-output.js';

const request = { server: 'pulumi', stackName: 'dashboard-hosting-prod' };
const sync = 'aws s3 sync s3://art/builds/{commit}/site/ s3://host/ --delete';

describe('parseStackOutputResult', () => {
  it('reads structuredContent with all outputs', () => {
    const outputs = parseStackOutputResult(
      {
        structured: { stackName: 'dashboard-hosting-prod', outputs: { syncCommand: sync, url: 'http://x' } },
        text: '',
      },
      request,
    );
    expect(outputs).toEqual({ syncCommand: sync, url: 'http://x' });
  });

  it('reads structuredContent for one output', () => {
    const outputs = parseStackOutputResult(
      { structured: { stackName: 's', outputName: 'syncCommand', value: sync }, text: '' },
      { ...request, outputName: 'syncCommand' },
    );
    expect(outputs).toEqual({ syncCommand: sync });
  });

  it('reads the official server text answer with literal \\n separators', () => {
    const text = `\nStack: dashboard-hosting-prod\n\nartifactsBucket: "art"\\nsyncCommand: ${JSON.stringify(sync)}\\nurl: "http://127.0.0.1:1234"\\ncount: 3\n`;
    expect(parseStackOutputResult({ structured: undefined, text }, request)).toEqual({
      artifactsBucket: 'art',
      syncCommand: sync,
      url: 'http://127.0.0.1:1234',
      count: 3,
    });
  });

  it('reads the official single-output answer', () => {
    const text = `\nStack: dashboard-hosting-prod\n\nsyncCommand: ${JSON.stringify(sync)}\n`;
    expect(
      parseStackOutputResult({ structured: undefined, text }, { ...request, outputName: 'syncCommand' }),
    ).toEqual({
      syncCommand: sync,
    });
  });

  it('turns the official "Operation failed" text into PULUMI_BACKEND_ERROR', () => {
    const run = () =>
      parseStackOutputResult(
        { structured: undefined, text: 'Operation failed: no stack named x found' },
        request,
      );
    expect(run).toThrowError(/no stack named x found/);
    try {
      run();
    } catch (error) {
      expect(isFrontendOpsError(error, 'PULUMI_BACKEND_ERROR')).toBe(true);
    }
  });

  it('turns the official "not found" text into OUTPUT_NOT_FOUND', () => {
    const text = "\nStack: s\n\nOutput 'syncCommand' not found.\n";
    expect(() =>
      parseStackOutputResult({ structured: undefined, text }, { ...request, outputName: 'syncCommand' }),
    ).toThrowError(/has no output syncCommand/);
  });

  it('reads a JSON text block when structuredContent is absent', () => {
    expect(
      parseStackOutputResult({ structured: undefined, text: JSON.stringify({ url: 'http://x' }) }, request),
    ).toEqual({
      url: 'http://x',
    });
  });

  it('refuses text it cannot read', () => {
    expect(() =>
      parseStackOutputResult({ structured: undefined, text: 'hello there' }, request),
    ).toThrowError(/STACK_OUTPUT_INVALID|neither structured/);
  });
});

describe('parseOfficialOutputList', () => {
  it('keeps escaped newlines inside string values', () => {
    expect(parseOfficialOutputList('a: "x\\ny"\\nb: {"c":"d\\n"}')).toEqual({ a: 'x\ny', b: { c: 'd\n' } });
  });

  it('accepts real newlines as separators too', () => {
    expect(parseOfficialOutputList('a: 1\nb: [1,2]')).toEqual({ a: 1, b: [1, 2] });
  });

  it('rejects a value that is not JSON', () => {
    expect(() => parseOfficialOutputList('a: not json')).toThrowError(/not JSON/);
  });
});
