/**
 * Names an S3 request the way the AWS SDK and CloudTrail name operations (`CopyObject`, `ListObjectsV2`,
 * `UploadPartCopy`, ...), from the HTTP method, the path-style URL and a few headers. Pure: the proxy counts
 * requests by this name and decides which ones conditional writes and copy faults apply to.
 */
export interface S3RequestTarget {
  /** Decoded bucket name; undefined for service-level requests (`GET /`). */
  bucket?: string;
  /** Decoded object key; undefined for bucket-level requests. */
  key?: string;
}

/** Splits a path-style pathname (`/bucket/some%20key`) into bucket and decoded key. */
export function parseS3Path(pathname: string): S3RequestTarget {
  const trimmed = pathname.startsWith('/') ? pathname.slice(1) : pathname;
  if (trimmed === '') return {};
  const slash = trimmed.indexOf('/');
  if (slash === -1) return { bucket: safeDecode(trimmed) };
  const bucket = safeDecode(trimmed.slice(0, slash));
  const rawKey = trimmed.slice(slash + 1);
  return rawKey === '' ? { bucket } : { bucket, key: safeDecode(rawKey) };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Header names are expected lower-case (as node:http delivers them). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function bucketOperation(method: string, query: URLSearchParams): string {
  const has = (name: string) => query.has(name);
  switch (method) {
    case 'GET':
      if (query.get('list-type') === '2') return 'ListObjectsV2';
      if (has('uploads')) return 'ListMultipartUploads';
      if (has('versions')) return 'ListObjectVersions';
      if (has('location')) return 'GetBucketLocation';
      if (has('lifecycle')) return 'GetBucketLifecycleConfiguration';
      if (has('policy')) return 'GetBucketPolicy';
      if (has('versioning')) return 'GetBucketVersioning';
      if (has('cors')) return 'GetBucketCors';
      if (has('tagging')) return 'GetBucketTagging';
      return 'ListObjects';
    case 'HEAD':
      return 'HeadBucket';
    case 'PUT':
      if (has('lifecycle')) return 'PutBucketLifecycleConfiguration';
      if (has('policy')) return 'PutBucketPolicy';
      if (has('versioning')) return 'PutBucketVersioning';
      if (has('cors')) return 'PutBucketCors';
      if (has('tagging')) return 'PutBucketTagging';
      return 'CreateBucket';
    case 'DELETE':
      if (has('lifecycle')) return 'DeleteBucketLifecycle';
      if (has('policy')) return 'DeleteBucketPolicy';
      if (has('cors')) return 'DeleteBucketCors';
      if (has('tagging')) return 'DeleteBucketTagging';
      return 'DeleteBucket';
    case 'POST':
      if (has('delete')) return 'DeleteObjects';
      return 'PostObject';
    default:
      return 'Unknown';
  }
}

function objectOperation(method: string, query: URLSearchParams, headers: HeaderBag): string {
  const has = (name: string) => query.has(name);
  const copy = headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'GET':
      if (has('uploadId')) return 'ListParts';
      if (has('attributes')) return 'GetObjectAttributes';
      if (has('tagging')) return 'GetObjectTagging';
      if (has('acl')) return 'GetObjectAcl';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (has('partNumber') && has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      if (has('tagging')) return 'PutObjectTagging';
      if (has('acl')) return 'PutObjectAcl';
      if (has('renameObject')) return 'RenameObject';
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      if (has('uploadId')) return 'AbortMultipartUpload';
      if (has('tagging')) return 'DeleteObjectTagging';
      return 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      if (has('restore')) return 'RestoreObject';
      if (has('select')) return 'SelectObjectContent';
      // The SDK sends DeleteObjects as `POST /bucket/?delete`, which some clients write with a key slot.
      if (has('delete')) return 'DeleteObjects';
      return 'Unknown';
    default:
      return 'Unknown';
  }
}

/** The S3 operation name for a path-style request. `Unknown` when it is not an S3 API call we recognise. */
export function s3OperationName(
  method: string,
  pathname: string,
  query: URLSearchParams,
  headers: HeaderBag,
): string {
  const upper = method.toUpperCase();
  const target = parseS3Path(pathname);
  if (target.bucket === undefined) return upper === 'GET' ? 'ListBuckets' : 'Unknown';
  if (target.key === undefined) return bucketOperation(upper, query);
  return objectOperation(upper, query, headers);
}

/** Operations that create or replace the object at the request's key (conditional-write targets). */
export const KEY_WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'PutObject',
  'CopyObject',
  'CompleteMultipartUpload',
  'DeleteObject',
]);

/** Operations whose request names a copy source (`x-amz-copy-source`). */
export const COPY_OPERATIONS: ReadonlySet<string> = new Set(['CopyObject', 'UploadPartCopy']);

/**
 * Operations S3 may answer with `200 OK` and an `<Error>` body (the error happens after the status line
 * was sent): CopyObject, UploadPartCopy and CompleteMultipartUpload.
 */
export const ERROR_IN_200_OPERATIONS: ReadonlySet<string> = new Set([
  'CopyObject',
  'UploadPartCopy',
  'CompleteMultipartUpload',
]);
