/**
 * Content-Type comparison by media type: `text/html; charset=utf-8` and `TEXT/HTML` are the same type,
 * `text/html` and `text/plain` are not. Parameters (charset, boundary) are ignored: the build declares
 * the type a browser acts on, and the edge or S3 may add or reword a charset. Pure.
 */

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `type/subtype`, lower-cased, or undefined when the header is absent or not a media type. */
export function mediaTypeOf(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const essence = value.split(';', 1)[0]?.trim() ?? '';
  const [type, subtype, ...extra] = essence.split('/');
  if (type === undefined || subtype === undefined || extra.length > 0) return undefined;
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  return `${type}/${subtype}`.toLowerCase();
}

export function sameMediaType(actual: string | null | undefined, expected: string): boolean {
  const a = mediaTypeOf(actual);
  return a !== undefined && a === mediaTypeOf(expected);
}
