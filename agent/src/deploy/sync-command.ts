import { FrontendOpsError } from '../errors.js';
import { BUCKET_NAME } from '../stack/outputs.js';

/**
 * The strict grammar of a stack's `syncCommand` output:
 *
 *     aws s3 sync s3://<bucket>/<prefix with {commit}>/ s3://<bucket>/[<prefix>/] [--delete]
 *
 * The engine never hands this string to a shell; it parses it into data and runs the copy itself. So
 * the parser is a gate, not a convenience: anything it does not positively recognise is refused with
 * `SYNC_COMMAND_REJECTED` naming the offending token, rather than being ignored or "fixed".
 */
export interface S3Location {
  bucket: string;
  /** '' (bucket root) or a key prefix ending with '/'. */
  prefix: string;
}

export interface SyncCommand {
  /** `prefix` contains `{commit}` exactly once. */
  source: S3Location;
  destination: S3Location;
  delete: boolean;
}

export const COMMIT_PLACEHOLDER = '{commit}';
/** Stack outputs are capped at 2,048 characters (StackOutputsSchema); so is the parser. */
export const MAX_SYNC_COMMAND_LENGTH = 2048;
const MAX_PREFIX_LENGTH = 512;

/** Tokens are separated by ASCII spaces only: a tab or a newline is a shell's business, not ours. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** A prefix segment: conservative key characters, or the placeholder on its own. */
const SEGMENT = /^[A-Za-z0-9._-]+$/;

function reject(message: string, token: string, index: number | undefined): never {
  const shown = token.length > 80 ? `${token.slice(0, 77)}...` : token;
  throw new FrontendOpsError(
    'SYNC_COMMAND_REJECTED',
    `syncCommand rejected${index === undefined ? '' : ` at token ${index + 1}`} ${JSON.stringify(shown)}: ${message}`,
    {
      hint: 'The stack output must read exactly `aws s3 sync s3://ARTIFACTS/builds/{commit}/site/ s3://HOSTING/ [--delete]`. Fix the Pulumi program, not the agent.',
      data: { token: shown, ...(index === undefined ? {} : { index }) },
    },
  );
}

export function isValidBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes('..') && !name.includes('.-') && !name.includes('-.');
}

function parseS3Uri(token: string, index: number, role: 'source' | 'destination'): S3Location {
  if (!token.startsWith('s3://')) reject(`the ${role} must be an s3:// URI`, token, index);
  const rest = token.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const rawPrefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (!isValidBucketName(bucket)) {
    reject(`${JSON.stringify(bucket)} is not a valid S3 bucket name`, token, index);
  }
  if (rawPrefix.length > MAX_PREFIX_LENGTH) reject(`the ${role} prefix is too long`, token, index);
  // `s3://b/site` and `s3://b/site/` name the same folder for `aws s3 sync`; store the canonical form.
  const trimmed = rawPrefix.endsWith('/') ? rawPrefix.slice(0, -1) : rawPrefix;
  const segments = trimmed === '' ? [] : trimmed.split('/');
  for (const segment of segments) {
    if (segment === '') reject(`the ${role} prefix has an empty path segment`, token, index);
    if (segment === '.' || segment === '..') {
      reject(`the ${role} prefix may not contain "." or ".." segments`, token, index);
    }
    if (segment !== COMMIT_PLACEHOLDER && !SEGMENT.test(segment)) {
      reject(
        `the ${role} prefix segment ${JSON.stringify(segment)} has characters outside [A-Za-z0-9._-]`,
        token,
        index,
      );
    }
  }
  const placeholders = segments.filter((s) => s === COMMIT_PLACEHOLDER).length;
  if (role === 'source' && placeholders !== 1) {
    reject(
      `the source prefix must contain ${COMMIT_PLACEHOLDER} exactly once, as a whole segment`,
      token,
      index,
    );
  }
  if (role === 'destination' && placeholders !== 0) {
    reject(`the destination may not contain ${COMMIT_PLACEHOLDER}`, token, index);
  }
  return { bucket, prefix: segments.length === 0 ? '' : `${segments.join('/')}/` };
}

/** Parses a `syncCommand` stack output; throws SYNC_COMMAND_REJECTED naming the bad token. */
export function parseSyncCommand(text: string): SyncCommand {
  if (typeof text !== 'string' || text.length === 0) reject('the command is empty', '', undefined);
  if (text.length > MAX_SYNC_COMMAND_LENGTH) {
    reject(`the command is ${text.length} characters long (max ${MAX_SYNC_COMMAND_LENGTH})`, text, undefined);
  }
  const tokens = text.trim().split(/ +/);
  tokens.forEach((token, index) => {
    if (!PRINTABLE_ASCII.test(token)) {
      reject(
        'only printable ASCII separated by spaces is allowed (found a control or non-ASCII character)',
        token,
        index,
      );
    }
  });
  const expectLiteral = (index: number, literal: string): void => {
    const token = tokens[index];
    if (token === undefined) reject(`expected "${literal}" but the command ended`, '', index);
    if (token !== literal) reject(`expected "${literal}"`, token, index);
  };
  expectLiteral(0, 'aws');
  expectLiteral(1, 's3');
  expectLiteral(2, 'sync');
  const sourceToken = tokens[3];
  if (sourceToken === undefined) reject('expected the source s3:// URI but the command ended', '', 3);
  const destinationToken = tokens[4];
  if (destinationToken === undefined)
    reject('expected the destination s3:// URI but the command ended', '', 4);
  const source = parseS3Uri(sourceToken, 3, 'source');
  const destination = parseS3Uri(destinationToken, 4, 'destination');
  if (destination.bucket === source.bucket) {
    // A mirror with --delete into the artifacts bucket would wipe builds, release records and locks.
    reject('the destination bucket must differ from the source (artifacts) bucket', destinationToken, 4);
  }
  let del = false;
  const flag = tokens[5];
  if (flag !== undefined) {
    if (flag !== '--delete') reject('the only flag allowed is --delete', flag, 5);
    del = true;
  }
  const extra = tokens[6];
  if (extra !== undefined) reject('unexpected token after the command', extra, 6);
  return { source, destination, delete: del };
}

const FULL_SHA = /^[0-9a-f]{40}$/;

export function isFullCommitSha(commit: string): boolean {
  return FULL_SHA.test(commit);
}

/** The artifacts prefix holding one commit's site files, e.g. `builds/<commit>/site/`. */
export function buildPrefixFor(sync: SyncCommand, commit: string): string {
  if (!isFullCommitSha(commit)) {
    throw new FrontendOpsError('BAD_INPUT', `commit ${JSON.stringify(commit)} is not a full 40-hex sha`, {
      hint: 'Pass the full lowercase commit sha (git rev-parse HEAD).',
    });
  }
  return sync.source.prefix.replace(COMMIT_PLACEHOLDER, commit);
}

/**
 * Where `build.json` lives: beside the site folder (`builds/<commit>/build.json` for
 * `builds/<commit>/site/`). When the placeholder is the last segment (`builds/{commit}/`), a
 * `build.json` inside that folder could clash with a site file of the same name, so the manifest goes
 * one level up as `builds/<commit>.build.json`.
 */
export function buildManifestKeyFor(sync: SyncCommand, commit: string): string {
  const prefix = buildPrefixFor(sync, commit);
  const segments = prefix.slice(0, -1).split('/');
  if (segments[segments.length - 1] === commit) {
    return `${segments
      .slice(0, -1)
      .map((s) => `${s}/`)
      .join('')}${commit}.build.json`;
  }
  return `${segments
    .slice(0, -1)
    .map((s) => `${s}/`)
    .join('')}build.json`;
}
