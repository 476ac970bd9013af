import { describe, expect, it } from 'vitest';
import {
  etagListMatches,
  evaluateCopySourceConditions,
  evaluateReadConditions,
  evaluateWriteConditions,
} from '../../../agent/src/sandbox/conditions.js';

const ETAG = '"5d41402abc4b2a76b9719d911017c592"';
const existing = { exists: true, etag: ETAG, lastModified: new Date('2026-01-01T12:00:00.500Z') };
const missing = { exists: false };

describe('etagListMatches', () => {
  it('compares quoted, unquoted and weak ETags, lists and *', () => {
    expect(etagListMatches(ETAG, ETAG)).toBe(true);
    expect(etagListMatches('5d41402abc4b2a76b9719d911017c592', ETAG)).toBe(true);
    expect(etagListMatches(`W/${ETAG}`, ETAG)).toBe(true);
    expect(etagListMatches(`"other", ${ETAG}`, ETAG)).toBe(true);
    expect(etagListMatches('*', ETAG)).toBe(true);
    expect(etagListMatches('"other"', ETAG)).toBe(false);
  });
});

describe('evaluateWriteConditions', () => {
  it('If-None-Match: * fails with 412 only when the key exists', () => {
    expect(evaluateWriteConditions('PutObject', { ifNoneMatch: '*' }, existing)).toMatchObject({
      status: 412,
      code: 'PreconditionFailed',
      extra: { Condition: 'If-None-Match' },
    });
    expect(evaluateWriteConditions('PutObject', { ifNoneMatch: '*' }, missing)).toBeUndefined();
  });

  it('If-None-Match with an ETag is not implemented by S3 for writes', () => {
    expect(evaluateWriteConditions('PutObject', { ifNoneMatch: ETAG }, missing)).toMatchObject({
      status: 501,
      code: 'NotImplemented',
    });
  });

  it('If-Match passes on the same ETag, fails with 412 on another and with 404 when the key is gone', () => {
    expect(evaluateWriteConditions('PutObject', { ifMatch: ETAG }, existing)).toBeUndefined();
    expect(evaluateWriteConditions('DeleteObject', { ifMatch: '"abc"' }, existing)).toMatchObject({
      status: 412,
    });
    expect(evaluateWriteConditions('CompleteMultipartUpload', { ifMatch: ETAG }, missing)).toMatchObject({
      status: 404,
      code: 'NoSuchKey',
    });
  });

  it('lets unconditional writes through', () => {
    expect(evaluateWriteConditions('PutObject', {}, existing)).toBeUndefined();
  });
});

describe('evaluateReadConditions (RFC 9110 order, as S3 documents it)', () => {
  it('If-Match true wins over a failing If-Unmodified-Since', () => {
    expect(
      evaluateReadConditions({ ifMatch: ETAG, ifUnmodifiedSince: 'Wed, 31 Dec 2025 00:00:00 GMT' }, existing),
    ).toEqual({ outcome: 'pass' });
  });

  it('If-None-Match false plus If-Modified-Since true is 304', () => {
    expect(
      evaluateReadConditions(
        { ifNoneMatch: ETAG, ifModifiedSince: 'Wed, 31 Dec 2025 00:00:00 GMT' },
        existing,
      ),
    ).toEqual({ outcome: 'not-modified', header: 'If-None-Match' });
  });

  it('compares dates at whole-second precision', () => {
    expect(evaluateReadConditions({ ifModifiedSince: 'Thu, 01 Jan 2026 12:00:00 GMT' }, existing)).toEqual({
      outcome: 'not-modified',
      header: 'If-Modified-Since',
    });
    expect(evaluateReadConditions({ ifUnmodifiedSince: 'Thu, 01 Jan 2026 11:59:59 GMT' }, existing)).toEqual({
      outcome: 'precondition-failed',
      header: 'If-Unmodified-Since',
    });
  });

  it('ignores unparsable dates', () => {
    expect(evaluateReadConditions({ ifModifiedSince: 'yesterday' }, existing)).toEqual({ outcome: 'pass' });
  });
});

describe('evaluateCopySourceConditions', () => {
  it('turns every failed condition into 412 naming the copy-source header', () => {
    expect(evaluateCopySourceConditions({ ifNoneMatch: ETAG }, existing)).toMatchObject({
      status: 412,
      extra: { Condition: 'x-amz-copy-source-If-None-Match' },
    });
    expect(evaluateCopySourceConditions({ ifMatch: '"abc"' }, existing)).toMatchObject({
      extra: { Condition: 'x-amz-copy-source-If-Match' },
    });
    expect(evaluateCopySourceConditions({ ifMatch: ETAG }, existing)).toBeUndefined();
  });

  it('leaves a missing source to the emulator (NoSuchKey)', () => {
    expect(evaluateCopySourceConditions({ ifMatch: ETAG }, missing)).toBeUndefined();
  });
});
