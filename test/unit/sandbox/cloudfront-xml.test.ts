import { describe, expect, it } from 'vitest';
import {
  parseInvalidationBatch,
  renderCloudFrontError,
  renderInvalidation,
  renderInvalidationList,
} from '../../../agent/src/sandbox/cloudfront-xml.js';

const batch = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">${inner}</InvalidationBatch>`;

describe('parseInvalidationBatch', () => {
  it('reads the paths and CallerReference of the SDK request body (one and several paths)', () => {
    expect(
      parseInvalidationBatch(
        batch(
          '<Paths><Quantity>1</Quantity><Items><Path>/*</Path></Items></Paths><CallerReference>r1</CallerReference>',
        ),
      ),
    ).toEqual({ ok: true, callerReference: 'r1', paths: ['/*'] });
    expect(
      parseInvalidationBatch(
        batch(
          '<CallerReference>r2</CallerReference><Paths><Quantity>2</Quantity><Items><Path>/a &amp; b.html</Path><Path>/assets/*</Path></Items></Paths>',
        ),
      ),
    ).toEqual({ ok: true, callerReference: 'r2', paths: ['/a & b.html', '/assets/*'] });
  });

  it('keeps numeric-looking values as text', () => {
    const parsed = parseInvalidationBatch(
      batch(
        '<Paths><Quantity>1</Quantity><Items><Path>/0123</Path></Items></Paths><CallerReference>20120301090000</CallerReference>',
      ),
    );
    expect(parsed).toEqual({ ok: true, callerReference: '20120301090000', paths: ['/0123'] });
  });

  it('reports an empty body as MissingBody', () => {
    expect(parseInvalidationBatch('')).toMatchObject({
      ok: false,
      error: { status: 400, code: 'MissingBody' },
    });
  });

  it('reports unparsable XML and missing elements as InvalidArgument', () => {
    expect(parseInvalidationBatch('<InvalidationBatch><Paths>')).toMatchObject({
      ok: false,
      error: { code: 'InvalidArgument' },
    });
    expect(parseInvalidationBatch(batch('<Paths><Quantity>1</Quantity></Paths>'))).toMatchObject({
      ok: false,
      error: { code: 'InvalidArgument', message: expect.stringContaining('CallerReference') },
    });
  });

  it('reports a Quantity that disagrees with the Items as InconsistentQuantities', () => {
    expect(
      parseInvalidationBatch(
        batch(
          '<Paths><Quantity>3</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>r</CallerReference>',
        ),
      ),
    ).toMatchObject({ ok: false, error: { code: 'InconsistentQuantities' } });
  });
});

describe('CloudFront XML rendering', () => {
  const invalidation = {
    id: 'I1',
    distributionId: 'EDIST',
    callerReference: 'ref <1>',
    paths: ['/a&b'],
    createTime: new Date('2026-01-01T00:00:00Z'),
    status: 'InProgress' as const,
  };

  it('renders the ErrorResponse envelope with Sender or Receiver type', () => {
    const xml = renderCloudFrontError({ status: 404, code: 'NoSuchDistribution', message: 'gone' }, 'req-1');
    expect(xml).toContain(
      '<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>gone</Message></Error><RequestId>req-1</RequestId></ErrorResponse>',
    );
    expect(renderCloudFrontError({ status: 500, code: 'InternalError', message: 'x' }, 'r')).toContain(
      '<Type>Receiver</Type>',
    );
  });

  it('escapes values in an Invalidation', () => {
    const xml = renderInvalidation(invalidation);
    expect(xml).toContain('<CallerReference>ref &lt;1&gt;</CallerReference>');
    expect(xml).toContain('<Path>/a&amp;b</Path>');
    expect(xml).toContain('<CreateTime>2026-01-01T00:00:00.000Z</CreateTime>');
  });

  it('renders NextMarker only when the list is truncated', () => {
    expect(
      renderInvalidationList({ items: [invalidation], marker: '', maxItems: 1, nextMarker: 'I1' }),
    ).toContain('<NextMarker>I1</NextMarker><MaxItems>1</MaxItems><IsTruncated>true</IsTruncated>');
    const last = renderInvalidationList({ items: [], marker: 'I1', maxItems: 1 });
    expect(last).not.toContain('NextMarker');
    expect(last).toContain('<IsTruncated>false</IsTruncated><Quantity>0</Quantity>');
  });
});
