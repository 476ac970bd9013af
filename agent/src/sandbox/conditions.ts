import { preconditionFailed, S3_ERRORS, type S3ErrorSpec } from './s3-errors.js';

/** What the proxy knows about the object a conditional request targets. */
export interface ObjectState {
  exists: boolean;
  /** Quoted ETag as S3 returns it, when the object exists. */
  etag?: string;
  lastModified?: Date;
}

function unquote(etag: string): string {
  const trimmed = etag.trim().replace(/^W\//, '');
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/** True when any ETag of a comma-separated `If-Match`-style list matches `etag` (`*` matches any). */
export function etagListMatches(list: string, etag: string): boolean {
  const wanted = unquote(etag);
  return list.split(',').some((item) => item.trim() === '*' || unquote(item) === wanted);
}

/**
 * Conditional writes (PutObject, CopyObject, CompleteMultipartUpload, DeleteObject) as S3 evaluates them:
 * `If-None-Match: *` fails with 412 when the key exists (any other value is not implemented by S3);
 * `If-Match: <etag>` fails with 404 NoSuchKey when the key is missing and 412 when the ETag differs.
 * Returns the error to send, or undefined when the write may proceed.
 */
export function evaluateWriteConditions(
  operation: string,
  headers: { ifMatch?: string; ifNoneMatch?: string },
  state: ObjectState,
): S3ErrorSpec | undefined {
  if (headers.ifNoneMatch !== undefined) {
    if (operation === 'DeleteObject' || headers.ifNoneMatch.trim() !== '*') return S3_ERRORS.notImplemented;
    if (state.exists) return preconditionFailed('If-None-Match');
  }
  if (headers.ifMatch !== undefined) {
    if (!state.exists) return S3_ERRORS.noSuchKey;
    if (state.etag === undefined || !etagListMatches(headers.ifMatch, state.etag)) {
      return preconditionFailed('If-Match');
    }
  }
  return undefined;
}

/** The conditional headers of a read (GetObject/HeadObject) or of a copy's source (`x-amz-copy-source-if-*`). */
export interface ReadConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export type ReadConditionResult =
  | { outcome: 'pass' }
  | { outcome: 'precondition-failed'; header: 'If-Match' | 'If-Unmodified-Since' }
  | { outcome: 'not-modified'; header: 'If-None-Match' | 'If-Modified-Since' };

/**
 * RFC 9110 §13.2.2 evaluation order, which S3 follows: If-Match (else If-Unmodified-Since) can fail with 412;
 * If-None-Match (else If-Modified-Since) can answer 304. So `If-Match` true + `If-Unmodified-Since` false
 * passes, and `If-None-Match` false + `If-Modified-Since` true is 304, as S3 documents.
 */
export function evaluateReadConditions(conditions: ReadConditions, state: ObjectState): ReadConditionResult {
  const etag = state.etag ?? '';
  const modified = state.lastModified?.getTime();
  const date = (value: string | undefined) => {
    const ms = value === undefined ? Number.NaN : Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  };
  // HTTP dates have whole seconds; compare at that precision.
  const modifiedSeconds = modified === undefined ? undefined : Math.floor(modified / 1000) * 1000;
  const ifUnmodifiedSince = date(conditions.ifUnmodifiedSince);
  const ifModifiedSince = date(conditions.ifModifiedSince);
  if (conditions.ifMatch !== undefined) {
    if (!etagListMatches(conditions.ifMatch, etag))
      return { outcome: 'precondition-failed', header: 'If-Match' };
  } else if (
    ifUnmodifiedSince !== undefined &&
    modifiedSeconds !== undefined &&
    modifiedSeconds > ifUnmodifiedSince
  ) {
    return { outcome: 'precondition-failed', header: 'If-Unmodified-Since' };
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagListMatches(conditions.ifNoneMatch, etag))
      return { outcome: 'not-modified', header: 'If-None-Match' };
  } else if (
    ifModifiedSince !== undefined &&
    modifiedSeconds !== undefined &&
    modifiedSeconds <= ifModifiedSince
  ) {
    return { outcome: 'not-modified', header: 'If-Modified-Since' };
  }
  return { outcome: 'pass' };
}

export function hasReadConditions(conditions: ReadConditions): boolean {
  return Object.values(conditions).some((value) => value !== undefined);
}

/**
 * Conditions on a copy's source object (`x-amz-copy-source-if-*`): any failed condition is 412, never 304
 * (CopyObject documentation). A missing source is left to the emulator, which answers NoSuchKey.
 */
export function evaluateCopySourceConditions(
  conditions: ReadConditions,
  source: ObjectState,
): S3ErrorSpec | undefined {
  if (!source.exists) return undefined;
  const result = evaluateReadConditions(conditions, source);
  return result.outcome === 'pass' ? undefined : preconditionFailed(`x-amz-copy-source-${result.header}`);
}
