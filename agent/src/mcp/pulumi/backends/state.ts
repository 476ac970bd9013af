import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { parse as parseYaml } from 'yaml';
import { FrontendOpsError } from '../../../errors.js';
import { BUCKET_NAME } from '../../../stack/outputs.js';
import type { StackRef } from '../stack-ref.js';
import { outputsFromCheckpointText } from './deployment.js';
import type { OutputsBackend, RawOutputs } from './types.js';

/**
 * The `state` backend: reads a self-managed ("DIY") backend's checkpoint directly, without the Pulumi
 * CLI, from a folder (`file://`) or a bucket (`s3://bucket/prefix`). Layout as the CLI writes it
 * (agent/src/stack/checkpoint.ts): `.pulumi/meta.yaml` version ≥ 1 means project-scoped stacks at
 * `.pulumi/stacks/<project>/<stack>.json`; no meta.yaml (or version 0) means the legacy
 * `.pulumi/stacks/<stack>.json`. Either may be gzipped (`.json.gz`, PULUMI_SELF_MANAGED_STATE_GZIP).
 */

/** Reads one object of the backend by its key below the root; undefined when it does not exist. */
export type ReadObject = (key: string) => Promise<Buffer | undefined>;

export interface StateLocation {
  /** For messages: the backend URL without its query string. */
  label: string;
  read: ReadObject;
}

/** Checkpoint keys to try, in order, for a meta.yaml version. Pure. */
export function checkpointCandidates(ref: StackRef, metaVersion: number): string[] {
  const base =
    metaVersion >= 1 ? `.pulumi/stacks/${ref.project}/${ref.stack}` : `.pulumi/stacks/${ref.stack}`;
  return [`${base}.json`, `${base}.json.gz`];
}

function metaVersion(text: string | undefined, label: string): number {
  if (text === undefined) return 0;
  try {
    const parsed = parseYaml(text) as { version?: unknown } | null;
    const version = parsed?.version;
    return typeof version === 'number' && Number.isInteger(version) ? version : 0;
  } catch (cause) {
    throw new FrontendOpsError('PULUMI_BACKEND_ERROR', `${label}/.pulumi/meta.yaml is not valid YAML`, {
      cause,
    });
  }
}

export function createStateBackend(location: StateLocation): OutputsBackend {
  return {
    kind: 'state',
    async readOutputs(ref: StackRef): Promise<RawOutputs> {
      const meta = await location.read('.pulumi/meta.yaml');
      const version = metaVersion(meta?.toString('utf8'), location.label);
      for (const key of checkpointCandidates(ref, version)) {
        const body = await location.read(key);
        if (body === undefined) continue;
        const text = key.endsWith('.gz') ? gunzipSync(body).toString('utf8') : body.toString('utf8');
        return outputsFromCheckpointText(text, `${ref.project}/${ref.stack}`, `${location.label}/${key}`);
      }
      throw new FrontendOpsError(
        'STACK_NOT_FOUND',
        `no stack ${ref.project}/${ref.stack} in the backend ${location.label}`,
        {
          hint: 'Check stackName (and the workDir / FRONTENDOPS_PULUMI_PROJECT project), and that PULUMI_BACKEND_URL is the backend the stack was deployed with.',
          data: { project: ref.project, stack: ref.stack },
        },
      );
    },
  };
}

/** A `file://` backend folder. */
export function fileStateLocation(
  url: string,
  readBytes: (path: string) => Promise<Buffer> = (path) => readFile(path),
): StateLocation {
  let root: string;
  try {
    root = fileURLToPath(url.split('?')[0] ?? url);
  } catch (cause) {
    throw new FrontendOpsError('CONFIG_INVALID', `PULUMI_BACKEND_URL ${url} is not an absolute file:// URL`, {
      cause,
    });
  }
  const label = `file://${root}`;
  return {
    label,
    async read(key) {
      try {
        return await readBytes(`${root}/${key}`);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw new FrontendOpsError(
          'PULUMI_BACKEND_ERROR',
          `cannot read ${label}/${key}: ${code ?? (error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

export interface S3StateUrl {
  bucket: string;
  /** '' or ending with '/'. */
  prefix: string;
  region: string | undefined;
  endpoint: string | undefined;
  forcePathStyle: boolean | undefined;
}

/**
 * Parses `s3://bucket/prefix?region=…&endpoint=…&s3ForcePathStyle=true` — the query parameters the
 * Pulumi CLI (gocloud.dev blob URLs) understands for S3 and S3-compatible stores. Pure.
 */
export function parseS3StateUrl(url: string): S3StateUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new FrontendOpsError('CONFIG_INVALID', `PULUMI_BACKEND_URL ${url} is not a URL`, { cause });
  }
  const bucket = parsed.hostname;
  if (parsed.protocol !== 's3:' || !BUCKET_NAME.test(bucket)) {
    throw new FrontendOpsError(
      'CONFIG_INVALID',
      `PULUMI_BACKEND_URL ${parsed.protocol}//${bucket} does not name an S3 bucket`,
      {
        hint: 'Use s3://<bucket>[/<prefix>].',
      },
    );
  }
  const path = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  const style = parsed.searchParams.get('s3ForcePathStyle') ?? parsed.searchParams.get('use_path_style');
  return {
    bucket,
    prefix: path === '' ? '' : `${path}/`,
    region: parsed.searchParams.get('region') ?? undefined,
    endpoint: parsed.searchParams.get('endpoint') ?? undefined,
    forcePathStyle: style === null ? undefined : style === 'true',
  };
}

/**
 * An `s3://` backend, read with GetObject (needs s3:GetObject on the prefix). The S3 SDK is loaded on the
 * first read: a server that never reads state (or reads a file:// one) starts without it.
 */
export function s3StateLocation(location: S3StateUrl, s3: Pick<S3Client, 'send'>): StateLocation {
  const label = `s3://${location.bucket}${location.prefix === '' ? '' : `/${location.prefix.slice(0, -1)}`}`;
  return {
    label,
    async read(key) {
      try {
        const { GetObjectCommand } = await import('@aws-sdk/client-s3');
        const result = await s3.send(
          new GetObjectCommand({ Bucket: location.bucket, Key: `${location.prefix}${key}` }),
        );
        if (result.Body === undefined) return Buffer.alloc(0);
        return Buffer.from(await result.Body.transformToByteArray());
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
        throw new FrontendOpsError(
          'PULUMI_BACKEND_ERROR',
          `cannot read ${label}/${key}: ${name}: ${(error as Error).message}`,
          {
            hint:
              name === 'AccessDenied'
                ? 'The credentials in the server env need s3:GetObject on the state bucket prefix.'
                : 'Check the state bucket, AWS_REGION and AWS_ENDPOINT_URL_S3.',
            cause: error,
          },
        );
      }
    },
  };
}
