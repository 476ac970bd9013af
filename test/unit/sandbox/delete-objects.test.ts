import { describe, expect, it } from 'vitest';
import { deletedKeys, MAX_DELETE_BODY_BYTES } from '../../../agent/src/sandbox/delete-objects.js';

const body = (xml: string) => Buffer.from(xml, 'utf8');

describe('deletedKeys', () => {
  it('names every key of a DeleteObjects body, exactly as written (entities decoded, spaces kept)', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>' +
      '<Object><Key>releases/a.json</Key></Object>' +
      '<Object><Key> spaced key </Key><VersionId>v1</VersionId></Object>' +
      '<Object><Key>a&amp;b &lt;c&gt; &#233;.txt</Key></Object>' +
      '<Object><Key>007</Key></Object>' +
      '</Delete>';
    expect(deletedKeys(body(xml))).toEqual(['releases/a.json', ' spaced key ', 'a&b <c> é.txt', '007']);
  });

  it('reads a single object as a list of one', () => {
    expect(deletedKeys(body('<Delete><Object><Key>k</Key></Object></Delete>'))).toEqual(['k']);
  });

  it('gives up (the whole bucket may change) on anything else', () => {
    expect(deletedKeys(body('<Delete><Quiet>true</Quiet></Delete>'))).toBeUndefined();
    expect(deletedKeys(body('<Delete><Object><Key></Key></Object></Delete>'))).toBeUndefined();
    expect(deletedKeys(body('<Delete><Object><Key>a</Key>'))).toBeUndefined();
    expect(deletedKeys(body('not xml at all'))).toBeUndefined();
    expect(deletedKeys(Buffer.alloc(MAX_DELETE_BODY_BYTES + 1, 'a'))).toBeUndefined();
  });
});
