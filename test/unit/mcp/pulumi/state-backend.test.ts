import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  checkpointCandidates,
  createStateBackend,
  fileStateLocation,
  parseS3StateUrl,
  s3StateLocation,
} from '../../../../agent/src/mcp/pulumi/backends/state.js';
import { renderCheckpoint } from '../../../../agent/src/stack/checkpoint.js';
import { memoryState } from './fakes.js';

const REF = { organization: undefined, project: 'proj', stack: 'prod' };
const CHECKPOINT = renderCheckpoint('proj', 'prod', { url: 'https://x.example' }, new Date(0));

describe('checkpointCandidates', () => {
  it('project-scoped layout for meta.yaml version 1, legacy layout without it; .json before .json.gz', () => {
    expect(checkpointCandidates(REF, 1)).toEqual([
      '.pulumi/stacks/proj/prod.json',
      '.pulumi/stacks/proj/prod.json.gz',
    ]);
    expect(checkpointCandidates(REF, 0)).toEqual(['.pulumi/stacks/prod.json', '.pulumi/stacks/prod.json.gz']);
  });
});

describe('state backend', () => {
  it('reads a project-scoped checkpoint', async () => {
    const backend = createStateBackend(
      memoryState({ '.pulumi/meta.yaml': 'version: 1\n', '.pulumi/stacks/proj/prod.json': CHECKPOINT }),
    );
    expect(await backend.readOutputs(REF, undefined)).toEqual({
      url: { value: 'https://x.example', secret: false, encrypted: false },
    });
  });

  it('reads a legacy (pre-project) layout when there is no meta.yaml', async () => {
    const backend = createStateBackend(memoryState({ '.pulumi/stacks/prod.json': CHECKPOINT }));
    expect(Object.keys(await backend.readOutputs(REF, undefined))).toEqual(['url']);
  });

  it('reads a gzipped checkpoint', async () => {
    const location = {
      label: 'mem',
      read: async (key: string) =>
        key === '.pulumi/meta.yaml'
          ? Buffer.from('version: 1')
          : key === '.pulumi/stacks/proj/prod.json.gz'
            ? gzipSync(CHECKPOINT)
            : undefined,
    };
    expect(Object.keys(await createStateBackend(location).readOutputs(REF, undefined))).toEqual(['url']);
  });

  it('STACK_NOT_FOUND when no candidate exists; STACK_OUTPUT_INVALID for a stack without resources', async () => {
    await expect(
      createStateBackend(memoryState({ '.pulumi/meta.yaml': 'version: 1' })).readOutputs(REF, undefined),
    ).rejects.toMatchObject({
      code: 'STACK_NOT_FOUND',
    });
    const empty = JSON.stringify({
      version: 3,
      checkpoint: { stack: 'organization/proj/prod', latest: null },
    });
    await expect(
      createStateBackend(
        memoryState({ '.pulumi/meta.yaml': 'version: 1', '.pulumi/stacks/proj/prod.json': empty }),
      ).readOutputs(REF, undefined),
    ).rejects.toMatchObject({ code: 'STACK_OUTPUT_INVALID' });
  });

  it('PULUMI_BACKEND_ERROR for a checkpoint that is not JSON', async () => {
    const backend = createStateBackend(
      memoryState({ '.pulumi/meta.yaml': 'version: 1', '.pulumi/stacks/proj/prod.json': '{oops' }),
    );
    await expect(backend.readOutputs(REF, undefined)).rejects.toMatchObject({ code: 'PULUMI_BACKEND_ERROR' });
  });

  it('file:// location maps keys under the folder and treats ENOENT as absent', async () => {
    const reads: string[] = [];
    const location = fileStateLocation('file:///var/state', async (path) => {
      reads.push(path);
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    });
    expect(await location.read('.pulumi/meta.yaml')).toBeUndefined();
    expect(reads).toEqual(['/var/state/.pulumi/meta.yaml']);
    await expect(
      fileStateLocation('file:///var/state', async () => {
        throw Object.assign(new Error('denied'), { code: 'EACCES' });
      }).read('x'),
    ).rejects.toMatchObject({ code: 'PULUMI_BACKEND_ERROR' });
  });
});

describe('s3:// state', () => {
  it('parses bucket, prefix and the gocloud query parameters', () => {
    expect(
      parseS3StateUrl(
        's3://my-state/team/pulumi?region=eu-west-1&endpoint=http://127.0.0.1:9000&s3ForcePathStyle=true',
      ),
    ).toEqual({
      bucket: 'my-state',
      prefix: 'team/pulumi/',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
    });
    expect(parseS3StateUrl('s3://my-state')).toMatchObject({
      prefix: '',
      region: undefined,
      forcePathStyle: undefined,
    });
    expect(() => parseS3StateUrl('s3://Not_A_Bucket/x')).toThrow(/does not name an S3 bucket/);
  });

  it('reads objects under the prefix; NoSuchKey is "absent"', async () => {
    const s3 = mockClient(S3Client);
    const body = (text: string) => sdkStreamMixin(Readable.from([Buffer.from(text)]));
    s3.on(GetObjectCommand, { Bucket: 'my-state', Key: 'team/.pulumi/meta.yaml' }).callsFake(() => ({
      Body: body('version: 1'),
    }));
    s3.on(GetObjectCommand, { Bucket: 'my-state', Key: 'team/.pulumi/stacks/proj/prod.json' }).callsFake(
      () => ({
        Body: body(CHECKPOINT),
      }),
    );
    s3.on(GetObjectCommand, { Bucket: 'my-state', Key: 'team/.pulumi/stacks/proj/nope.json' }).rejects(
      new NoSuchKey({ message: 'missing', $metadata: {} }),
    );
    s3.on(GetObjectCommand, { Bucket: 'my-state', Key: 'team/.pulumi/stacks/proj/nope.json.gz' }).rejects(
      new NoSuchKey({ message: 'missing', $metadata: {} }),
    );
    const client = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const backend = createStateBackend(s3StateLocation(parseS3StateUrl('s3://my-state/team'), client));
    expect(Object.keys(await backend.readOutputs(REF, undefined))).toEqual(['url']);
    await expect(backend.readOutputs({ ...REF, stack: 'nope' }, undefined)).rejects.toMatchObject({
      code: 'STACK_NOT_FOUND',
    });
    s3.restore();
  });
});
