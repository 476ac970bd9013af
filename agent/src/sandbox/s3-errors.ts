import { randomBytes } from 'node:crypto';
import { escapeXml, XML_DECLARATION } from './xml.js';

/** An S3 REST error as S3 sends it: status code plus the `<Error>` document (no namespace). */
export interface S3ErrorSpec {
  status: number;
  code: string;
  message: string;
  /** Extra elements S3 adds for some codes, e.g. `Condition` for PreconditionFailed. */
  extra?: Readonly<Record<string, string>>;
}

/** Errors the sandbox produces itself, with S3's own wording (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
export const S3_ERRORS = {
  slowDown: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  internal: {
    status: 500,
    code: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
  },
  accessDenied: { status: 403, code: 'AccessDenied', message: 'Access Denied' },
  noSuchKey: { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' },
  notImplemented: {
    status: 501,
    code: 'NotImplemented',
    message: 'A header you provided implies functionality that is not implemented.',
  },
  methodNotAllowed: {
    status: 405,
    code: 'MethodNotAllowed',
    message: 'The specified method is not allowed against this resource.',
  },
} as const satisfies Record<string, S3ErrorSpec>;

export function preconditionFailed(condition: string): S3ErrorSpec {
  return {
    status: 412,
    code: 'PreconditionFailed',
    message: 'At least one of the pre-conditions you specified did not hold',
    extra: { Condition: condition },
  };
}

/** S3 request ids are 16 upper-case hex characters. */
export function s3RequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function renderS3Error(error: S3ErrorSpec, resource: string | undefined, requestId: string): string {
  const lines = [XML_DECLARATION, '<Error>', `<Code>${escapeXml(error.code)}</Code>`];
  lines.push(`<Message>${escapeXml(error.message)}</Message>`);
  for (const [name, value] of Object.entries(error.extra ?? {})) {
    lines.push(`<${name}>${escapeXml(value)}</${name}>`);
  }
  if (resource !== undefined) lines.push(`<Resource>${escapeXml(resource)}</Resource>`);
  lines.push(`<RequestId>${requestId}</RequestId>`, `<HostId>frontendops-sandbox</HostId>`, '</Error>');
  return lines.join('');
}
