import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import type { CloudFrontErrorSpec, Invalidation } from './invalidations.js';
import { escapeXml, XML_DECLARATION } from './xml.js';

/** The XML shapes of the CloudFront 2020-05-31 REST API that the sandbox speaks. */
export const CLOUDFRONT_API_VERSION = '2020-05-31';
const NS = `http://cloudfront.amazonaws.com/doc/${CLOUDFRONT_API_VERSION}/`;

const el = (name: string, value: string | number | boolean) =>
  `<${name}>${escapeXml(String(value))}</${name}>`;

export function renderCloudFrontError(error: CloudFrontErrorSpec, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `${XML_DECLARATION}<ErrorResponse xmlns="${NS}"><Error>${el('Type', type)}${el('Code', error.code)}${el('Message', error.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`;
}

function renderBatch(invalidation: Invalidation): string {
  const items = invalidation.paths.map((p) => el('Path', p)).join('');
  return `<InvalidationBatch><Paths>${el('Quantity', invalidation.paths.length)}<Items>${items}</Items></Paths>${el('CallerReference', invalidation.callerReference)}</InvalidationBatch>`;
}

export function renderInvalidation(invalidation: Invalidation): string {
  return `${XML_DECLARATION}<Invalidation xmlns="${NS}">${el('Id', invalidation.id)}${el('Status', invalidation.status)}${el('CreateTime', invalidation.createTime.toISOString())}${renderBatch(invalidation)}</Invalidation>`;
}

export interface InvalidationListPage {
  items: readonly Invalidation[];
  marker: string;
  maxItems: number;
  nextMarker?: string;
}

export function renderInvalidationList(page: InvalidationListPage): string {
  const summaries = page.items
    .map(
      (inv) =>
        `<InvalidationSummary>${el('Id', inv.id)}${el('CreateTime', inv.createTime.toISOString())}${el('Status', inv.status)}</InvalidationSummary>`,
    )
    .join('');
  const truncated = page.nextMarker !== undefined;
  return `${XML_DECLARATION}<InvalidationList xmlns="${NS}">${el('Marker', page.marker)}${truncated ? el('NextMarker', page.nextMarker ?? '') : ''}${el('MaxItems', page.maxItems)}${el('IsTruncated', truncated)}${el('Quantity', page.items.length)}${page.items.length > 0 ? `<Items>${summaries}</Items>` : ''}</InvalidationList>`;
}

export interface DistributionView {
  id: string;
  domainName: string;
  hostingBucket: string;
  lastModified: Date;
  inProgressInvalidations: number;
  callerReference: string;
}

/** The distribution config the sandbox edge behaves like (default root object, SPA fallback, TTLs). */
function renderDistributionConfig(d: DistributionView): string {
  const originId = `${d.hostingBucket}-origin`;
  return [
    '<DistributionConfig>',
    el('CallerReference', d.callerReference),
    '<Aliases><Quantity>0</Quantity></Aliases>',
    el('DefaultRootObject', 'index.html'),
    '<Origins><Quantity>1</Quantity><Items><Origin>',
    el('Id', originId),
    el('DomainName', `${d.hostingBucket}.s3.us-east-1.amazonaws.com`),
    el('OriginPath', ''),
    '<CustomHeaders><Quantity>0</Quantity></CustomHeaders>',
    '<S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>',
    '</Origin></Items></Origins>',
    '<DefaultCacheBehavior>',
    el('TargetOriginId', originId),
    el('ViewerProtocolPolicy', 'redirect-to-https'),
    '<AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items>',
    '<CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods>',
    el('Compress', true),
    el('MinTTL', 0),
    el('DefaultTTL', 86400),
    el('MaxTTL', 31536000),
    '</DefaultCacheBehavior>',
    '<CacheBehaviors><Quantity>0</Quantity></CacheBehaviors>',
    '<CustomErrorResponses><Quantity>1</Quantity><Items><CustomErrorResponse>',
    el('ErrorCode', 404),
    el('ResponsePagePath', '/index.html'),
    el('ResponseCode', '200'),
    el('ErrorCachingMinTTL', 0),
    '</CustomErrorResponse></Items></CustomErrorResponses>',
    el('Comment', 'FrontendOps sandbox edge for the Sophia dashboard'),
    el('PriceClass', 'PriceClass_100'),
    el('Enabled', true),
    el('HttpVersion', 'http2'),
    el('IsIPV6Enabled', true),
    '</DistributionConfig>',
  ].join('');
}

export function renderDistribution(d: DistributionView): string {
  return [
    XML_DECLARATION,
    `<Distribution xmlns="${NS}">`,
    el('Id', d.id),
    el('ARN', `arn:aws:cloudfront::000000000000:distribution/${d.id}`),
    el('Status', 'Deployed'),
    el('LastModifiedTime', d.lastModified.toISOString()),
    el('InProgressInvalidationBatches', d.inProgressInvalidations),
    el('DomainName', d.domainName),
    '<ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>',
    '<ActiveTrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedKeyGroups>',
    renderDistributionConfig(d),
    '</Distribution>',
  ].join('');
}

export function renderDistributionConfigDocument(d: DistributionView): string {
  return `${XML_DECLARATION}${renderDistributionConfig(d).replace('<DistributionConfig>', `<DistributionConfig xmlns="${NS}">`)}`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => name === 'Path',
});

const InvalidationBatchSchema = z.object({
  InvalidationBatch: z.object({
    CallerReference: z.string().min(1).max(128),
    Paths: z.object({
      Quantity: z.string().regex(/^\d+$/),
      Items: z.union([z.object({ Path: z.array(z.string()) }), z.literal('')]).optional(),
    }),
  }),
});

export type ParsedBatch =
  | { ok: true; callerReference: string; paths: string[] }
  | { ok: false; error: CloudFrontErrorSpec };

/** Parses a CreateInvalidation body; errors are CloudFront's (MissingBody, InvalidArgument, InconsistentQuantities). */
export function parseInvalidationBatch(body: string): ParsedBatch {
  if (body.trim() === '') {
    return {
      ok: false,
      error: { status: 400, code: 'MissingBody', message: 'This operation requires a body.' },
    };
  }
  let document: unknown;
  try {
    document = parser.parse(body, true);
  } catch (error) {
    return {
      ok: false,
      error: {
        status: 400,
        code: 'InvalidArgument',
        message: `The XML document is malformed: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
  const parsed = InvalidationBatchSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: {
        status: 400,
        code: 'InvalidArgument',
        message: `Invalid InvalidationBatch: ${issue === undefined ? 'unexpected shape' : `${issue.path.join('.')}: ${issue.message}`}`,
      },
    };
  }
  const batch = parsed.data.InvalidationBatch;
  const items = batch.Paths.Items;
  const paths = items === undefined || items === '' ? [] : items.Path;
  if (Number(batch.Paths.Quantity) !== paths.length) {
    return {
      ok: false,
      error: {
        status: 400,
        code: 'InconsistentQuantities',
        message: 'The value of Quantity and the size of Items don\u2019t match.',
      },
    };
  }
  return { ok: true, callerReference: batch.CallerReference, paths };
}
