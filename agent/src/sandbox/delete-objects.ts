import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

/**
 * The keys a DeleteObjects request names (`<Delete><Object><Key>…</Key></Object>…</Delete>`), so the
 * proxy knows which objects it may change — undefined when the body is not that shape, and the whole
 * bucket must be treated as changing. Keys are kept exactly: no trimming, entities decoded.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Numeric character references (`&#233;`), which S3 clients may use in keys.
  htmlEntities: true,
  isArray: (name) => name === 'Object',
});

const DeleteSchema = z.object({
  Delete: z
    .object({
      Object: z.array(z.object({ Key: z.string().min(1) }).loose()).min(1),
    })
    .loose(),
});

/** S3 accepts at most 1,000 keys of up to 1,024 bytes each: a body past this is not one it would take. */
export const MAX_DELETE_BODY_BYTES = 2 * 1024 * 1024;

export function deletedKeys(body: Buffer): string[] | undefined {
  if (body.length > MAX_DELETE_BODY_BYTES) return undefined;
  const xml = body.toString('utf8');
  // The parser reads unclosed elements leniently; the emulator would not.
  if (XMLValidator.validate(xml) !== true) return undefined;
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch {
    return undefined;
  }
  const result = DeleteSchema.safeParse(parsed);
  return result.success ? result.data.Delete.Object.map((o) => o.Key) : undefined;
}
