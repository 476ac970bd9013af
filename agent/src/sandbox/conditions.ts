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

/**
 * Conditions on a copy's source object (`x-amz-copy-source-if-*`), per the CopyObject documentation:
 * if-match / if-unmodified-since and if-none-match / if-modified-since. A missing source is left to the
 * emulator, which answers NoSuchKey.
 */
export function evaluateCopySourceConditions(
  headers: {
    ifMatch?: string;
    ifNoneMatch?: string;
    ifModifiedSince?: string;
    ifUnmodifiedSince?: string;
  },
  source: ObjectState,
): S3ErrorSpec | undefined {
  if (!source.exists || source.etag === undefined) return undefined;
  const etag = source.etag;
  const modified = source.lastModified?.getTime();
  const since = (value: string | undefined) => (value === undefined ? undefined : Date.parse(value));
  const ifModifiedSince = since(headers.ifModifiedSince);
  const ifUnmodifiedSince = since(headers.ifUnmodifiedSince);
  if (headers.ifMatch !== undefined) {
    if (!etagListMatches(headers.ifMatch, etag)) return preconditionFailed('x-amz-copy-source-If-Match');
  } else if (ifUnmodifiedSince !== undefined && modified !== undefined && modified > ifUnmodifiedSince) {
    return preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (headers.ifNoneMatch !== undefined) {
    if (etagListMatches(headers.ifNoneMatch, etag))
      return preconditionFailed('x-amz-copy-source-If-None-Match');
  } else if (ifModifiedSince !== undefined && modified !== undefined && modified <= ifModifiedSince) {
    return preconditionFailed('x-amz-copy-source-If-Modified-Since');
  }
  return undefined;
}
