import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BucketSnapshot, lostOrChanged, snapshotBuckets } from '../../support/bucket-snapshot.js';
import { commitInScratchRepo, type EngineOnSandbox, engineOnSandbox } from '../../support/deploy-sandbox.js';
import { sandboxCli } from '../../support/hostile-stack.js';
import { sandboxPerFile } from '../../support/sandbox.js';

/**
 * Issue 10 §1 on the sandbox: the first deploy to a hosting bucket that already holds a site (and has
 * no release record) keeps every object it does not know, lists them with an adoption id, and deletes
 * exactly that set only when `frontendops deploy --adopt <id>` names it.
 */
const { sandbox } = sandboxPerFile();
let engine: EngineOnSandbox;
const FOREIGN = [
  'index.html',
  'about/index.html',
  'legacy/app.3f9a.js',
  'legacy/app.css',
  'img/team photo.jpg',
  'downloads/report-2025.pdf',
];

const hosting = () => sandbox().info.hostingBucket;
const artifacts = () => sandbox().info.artifactsBucket;
const snapshot = (): Promise<BucketSnapshot> => snapshotBuckets(engine.s3, [artifacts(), hosting()]);

async function putForeign(key: string, body = `foreign ${key}`): Promise<void> {
  await engine.s3.send(new PutObjectCommand({ Bucket: hosting(), Key: key, Body: body }));
}

beforeAll(async () => {
  engine = await engineOnSandbox(sandbox());
  for (const key of FOREIGN) await putForeign(key);
});
afterAll(async () => {
  await engine?.close();
});

describe('first deploy to a non-empty hosting bucket', () => {
  let first = '';
  let adoptionId = '';
  const unknown = FOREIGN.filter((k) => k !== 'index.html').sort();

  it('a dry run lists the objects no release knows, with an adoption id, changing nothing', async () => {
    first = await commitInScratchRepo(sandbox(), 'adopt-1');
    await engine.publishVersion(1, { commit: first });
    const before = await snapshot();
    const json = await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', first, '--dry-run']);
    expect(json.code, json.err).toBe(0);
    const planned = JSON.parse(json.out);
    expect(planned.status).toBe('planned');
    expect(planned.adoption).toMatchObject({ adopted: false, count: unknown.length });
    expect(planned.adoption.objects.map((o: { path: string }) => o.path)).toEqual(unknown);
    adoptionId = planned.adoption.id;
    expect(adoptionId).toMatch(/^[0-9a-f]{12}$/);

    const human = await sandboxCli(sandbox(), ['deploy', '--commit', first, '--dry-run']);
    expect(human.code, human.err).toBe(0);
    expect(human.out).toContain(`keeping ${unknown.length} object(s) no release knows`);
    for (const key of unknown) expect(human.out).toContain(key);
    expect(human.out).toContain(`frontendops deploy --adopt ${adoptionId}`);
    expect(await snapshot()).toEqual(before);
  });

  it('deploys without adoption and keeps every unknown object untouched', async () => {
    const before = await snapshot();
    const run = await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', first, '--yes']);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({
      status: 'deployed',
      adoption: { id: adoptionId, adopted: false },
    });
    const after = await snapshot();
    // Only the foreign index.html (a file of the build) was replaced; nothing else of either bucket.
    expect(lostOrChanged(before[hosting()] ?? {}, after[hosting()] ?? {})).toEqual(['index.html']);
    expect(lostOrChanged(before[artifacts()] ?? {}, after[artifacts()] ?? {})).toEqual([]);
  });

  it('a later deploy keeps them too', async () => {
    const second = await commitInScratchRepo(sandbox(), 'adopt-2');
    await engine.publishVersion(2, { commit: second });
    const before = await snapshot();
    const run = await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', second, '--yes']);
    expect(run.code, run.err).toBe(0);
    const after = await snapshot();
    for (const key of unknown) expect(after[hosting()]?.[key], key).toBe(before[hosting()]?.[key]);
  });

  it('refuses an adoption id once the set changed, changing nothing', async () => {
    await putForeign('late/arrival.txt');
    const before = await snapshot();
    const run = await sandboxCli(sandbox(), [
      '--json',
      'deploy',
      '--commit',
      first,
      '--adopt',
      adoptionId,
      '--yes',
    ]);
    expect(run.code, run.err).toBe(3);
    expect(JSON.parse(run.out)).toMatchObject({ status: 'refused', code: 'REFUSED' });
    expect(JSON.parse(run.out).message).toContain('changed');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a malformed adoption id as bad input', async () => {
    const before = await snapshot();
    const run = await sandboxCli(sandbox(), ['deploy', '--adopt', 'all', '--yes']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('adoption id');
    expect(await snapshot()).toEqual(before);
  });

  it('with the id of the current set, deletes exactly that set and nothing else', async () => {
    const current = [...unknown, 'late/arrival.txt'].sort();
    const planned = JSON.parse(
      (await sandboxCli(sandbox(), ['--json', 'deploy', '--commit', first, '--dry-run'])).out,
    );
    expect(planned.adoption.objects.map((o: { path: string }) => o.path)).toEqual(current);
    const before = await snapshot();
    const run = await sandboxCli(sandbox(), [
      '--json',
      'deploy',
      '--commit',
      first,
      '--adopt',
      planned.adoption.id,
      '--yes',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ status: 'deployed', adoption: { adopted: true } });
    const after = await snapshot();
    const gone = Object.keys(before[hosting()] ?? {}).filter((k) => !(k in (after[hosting()] ?? {})));
    expect(gone.sort()).toEqual(current);
    expect(Object.keys(before[artifacts()] ?? {}).filter((k) => !(k in (after[artifacts()] ?? {})))).toEqual(
      [],
    );
    const home = await fetch(`${sandbox().info.edgeUrl}/version.json`);
    expect(JSON.parse(await home.text()).commit).toBe(first);
  });
});
