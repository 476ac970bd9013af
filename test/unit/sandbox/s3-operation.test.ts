import { describe, expect, it } from 'vitest';
import { parseS3Path, s3OperationName } from '../../../agent/src/sandbox/s3-operation.js';

const op = (method: string, path: string, headers: Record<string, string> = {}) => {
  const url = new URL(path, 'http://s3');
  return s3OperationName(method, url.pathname, url.searchParams, headers);
};

describe('s3OperationName', () => {
  it.each([
    ['GET', '/', {}, 'ListBuckets'],
    ['PUT', '/b', {}, 'CreateBucket'],
    ['PUT', '/b/', {}, 'CreateBucket'],
    ['HEAD', '/b', {}, 'HeadBucket'],
    ['GET', '/b?list-type=2&prefix=builds%2F', {}, 'ListObjectsV2'],
    ['GET', '/b/?list-type=2', {}, 'ListObjectsV2'],
    ['GET', '/b?prefix=x', {}, 'ListObjects'],
    ['GET', '/b?uploads', {}, 'ListMultipartUploads'],
    ['POST', '/b?delete', {}, 'DeleteObjects'],
    ['POST', '/b/?delete', {}, 'DeleteObjects'],
    ['PUT', '/b/k', {}, 'PutObject'],
    ['PUT', '/b/k', { 'x-amz-copy-source': 'b/src' }, 'CopyObject'],
    ['PUT', '/b/k?partNumber=2&uploadId=u', {}, 'UploadPart'],
    ['PUT', '/b/k?partNumber=2&uploadId=u', { 'x-amz-copy-source': 'b/src' }, 'UploadPartCopy'],
    ['PUT', '/b/k?tagging', {}, 'PutObjectTagging'],
    ['GET', '/b/k', {}, 'GetObject'],
    ['GET', '/b/k?x-id=GetObject', {}, 'GetObject'],
    ['GET', '/b/k?uploadId=u', {}, 'ListParts'],
    ['GET', '/b/k?attributes', {}, 'GetObjectAttributes'],
    ['HEAD', '/b/k', {}, 'HeadObject'],
    ['DELETE', '/b/k', {}, 'DeleteObject'],
    ['DELETE', '/b/k?uploadId=u', {}, 'AbortMultipartUpload'],
    ['POST', '/b/k?uploads', {}, 'CreateMultipartUpload'],
    ['POST', '/b/k?uploadId=u', {}, 'CompleteMultipartUpload'],
    ['POST', '/', {}, 'Unknown'],
    ['PATCH', '/b/k', {}, 'Unknown'],
  ])('%s %s %o → %s', (method, path, headers, expected) => {
    expect(op(method, path, headers)).toBe(expected);
  });
});

describe('parseS3Path', () => {
  it('splits bucket and decoded key, keeping slashes inside the key', () => {
    expect(parseS3Path('/bucket/builds/abc/site/a%20b%2Bc.html')).toEqual({
      bucket: 'bucket',
      key: 'builds/abc/site/a b+c.html',
    });
  });

  it('treats a trailing slash after the bucket as a bucket-level request', () => {
    expect(parseS3Path('/bucket/')).toEqual({ bucket: 'bucket' });
    expect(parseS3Path('/')).toEqual({});
  });

  it('keeps a key with a malformed escape as written instead of throwing', () => {
    expect(parseS3Path('/bucket/100%')).toEqual({ bucket: 'bucket', key: '100%' });
  });
});
