import { describe, expect, it } from 'vitest';
import { adoptionIdFor, decideAdoption } from '../../../agent/src/deploy/adoption.js';
import { type PlanOptions, planDeploy, summarizePlan } from '../../../agent/src/deploy/plan.js';
import { FrontendOpsError } from '../../../agent/src/errors.js';
import { applyPlan, commitSha, etagOf, listingOf, manifestOf } from '../../support/deploy-fixtures.js';

/**
 * Issue 10 §1: the first deploy to a non-empty destination without a release record keeps the
 * objects it does not know, lists them in the plan, and deletes them only when the operator adopts
 * that exact set by its id.
 */
const OPTIONS: PlanOptions = {
  destination: { bucket: 'hosting-1', prefix: '' },
  delete: true,
  keepReleases: 3,
  collapseAbove: 25,
};

function thrown(run: () => unknown): FrontendOpsError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrontendOpsError) return error;
    throw error;
  }
  throw new Error('expected a FrontendOpsError');
}

const site = {
  'index.html': '<script src="/assets/app-V1aaaaaa.js"></script>',
  'assets/app-V1aaaaaa.js': 'console.log(1)',
  'version.json': `{"commit":"${commitSha(1)}"}`,
};
const manifest = manifestOf(commitSha(1), site);
/** What someone else put in the bucket before FrontendOps: a whole other site, plus our own history. */
const foreign = new Map([
  ['index.html', '<html>legacy</html>'],
  ['legacy/app.js', 'old'],
  ['photos/cat.jpg', 'meow'],
  ['deployments.json', '{"schema":1}'],
  ['builds/planted/site/a.js', 'planted'],
]);

describe('adoptionIdFor', () => {
  const objects = [
    { path: 'b.txt', etag: '"2"', size: 1 },
    { path: 'a.txt', etag: '"1"', size: 1 },
  ];

  it('is 12 hex characters, independent of listing order and ETag quoting', () => {
    const id = adoptionIdFor(objects);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(adoptionIdFor([...objects].reverse())).toBe(id);
    expect(adoptionIdFor(objects.map((o) => ({ ...o, etag: o.etag.replaceAll('"', '') })))).toBe(id);
  });

  it('changes when a key is added or removed, or an object is overwritten', () => {
    const id = adoptionIdFor(objects);
    expect(adoptionIdFor([...objects, { path: 'c.txt', etag: '"3"', size: 1 }])).not.toBe(id);
    expect(adoptionIdFor(objects.slice(1))).not.toBe(id);
    expect(adoptionIdFor([{ ...objects[0]!, etag: '"9"' }, objects[1]!])).not.toBe(id);
  });
});

describe('decideAdoption', () => {
  const unknown = [{ path: 'x', etag: '"1"', size: 1 }];
  const where = { deletes: true, destination: 's3://hosting-1/' };

  it('keeps by default, adopts the matching id, refuses any other', () => {
    const kept = decideAdoption(unknown, where);
    expect(kept).toMatchObject({ adopted: false, adoptionId: adoptionIdFor(unknown) });
    expect(decideAdoption(unknown, { ...where, adopt: kept.adoptionId! }).adopted).toBe(true);
    const error = thrown(() => decideAdoption(unknown, { ...where, adopt: '0123456789ab' }));
    expect(error.code).toBe('REFUSED');
    expect(error.message).toContain(kept.adoptionId!);
  });

  it('refuses an adoption when nothing is unknown any more', () => {
    expect(thrown(() => decideAdoption([], { ...where, adopt: '0123456789ab' })).code).toBe('REFUSED');
  });

  it('calls --adopt bad input when the syncCommand never deletes', () => {
    const error = thrown(() => decideAdoption(unknown, { ...where, deletes: false, adopt: '0123456789ab' }));
    expect(error.code).toBe('BAD_INPUT');
  });
});

describe('planDeploy: first deploy to a non-empty bucket', () => {
  const plan = planDeploy(manifest, undefined, listingOf(foreign), [], OPTIONS);

  it('deletes nothing it does not know, lists it with an adoption id, and ignores reserved keys', () => {
    expect(plan.deleteLater).toEqual([]);
    expect(plan.unknown.map((o) => o.path)).toEqual(['legacy/app.js', 'photos/cat.jpg']);
    expect(plan.adoptionId).toBe(
      adoptionIdFor([
        { path: 'legacy/app.js', etag: etagOf('old'), size: 3 },
        { path: 'photos/cat.jpg', etag: etagOf('meow'), size: 4 },
      ]),
    );
    // Objects in the build are replaced, as any deploy does: the unknown index.html is copied over.
    expect(plan.copy.find((c) => c.path === 'index.html')?.reason).toBe('unknown');
    expect(plan.copy.map((c) => c.path)).not.toContain('deployments.json');
  });

  it('shows the list and the id in the plan summary', () => {
    const summary = summarizePlan(plan, OPTIONS.destination);
    expect(summary.unknown).toMatchObject({
      count: 2,
      bytes: 7,
      adoptionId: plan.adoptionId,
      adopted: false,
    });
    expect(summary.unknown.objects.map((o) => o.path)).toEqual(['legacy/app.js', 'photos/cat.jpg']);
  });

  it('with the shown id, deletes exactly that set after the invalidation, never a reserved key', () => {
    const adopted = planDeploy(manifest, undefined, listingOf(foreign), [], {
      ...OPTIONS,
      adopt: plan.adoptionId!,
    });
    expect(adopted.adopted).toBe(true);
    expect(adopted.deleteLater).toEqual(['legacy/app.js', 'photos/cat.jpg']);
  });

  it('refuses the id once the set changed (one more object, or one overwritten)', () => {
    const grown = new Map(foreign).set('late.txt', 'arrived after the plan');
    const changed = new Map(foreign).set('photos/cat.jpg', 'woof');
    for (const bucket of [grown, changed]) {
      const error = thrown(() =>
        planDeploy(manifest, undefined, listingOf(bucket), [], { ...OPTIONS, adopt: plan.adoptionId! }),
      );
      expect(error.code).toBe('REFUSED');
    }
  });

  it('keeps unknown objects on later deploys too, until adopted', () => {
    const first = applyPlan({ bucket: foreign, record: undefined }, plan, site, 1);
    const next = { ...site, 'version.json': `{"commit":"${commitSha(2)}"}` };
    const second = planDeploy(
      manifestOf(commitSha(2), next),
      first.record,
      listingOf(first.bucket),
      [],
      OPTIONS,
    );
    expect(second.deleteLater).toEqual([]);
    expect(second.unknown.map((o) => o.path)).toEqual(['legacy/app.js', 'photos/cat.jpg']);
    expect(second.adoptionId).toBe(plan.adoptionId);
  });

  it('an adoption on the live commit is not a no-op', () => {
    const first = applyPlan({ bucket: foreign, record: undefined }, plan, site, 1);
    const again = planDeploy(manifest, first.record, listingOf(first.bucket), [], OPTIONS);
    expect(again.noop).toBe(true);
    const adopting = planDeploy(manifest, first.record, listingOf(first.bucket), [], {
      ...OPTIONS,
      adopt: again.adoptionId!,
    });
    expect(adopting.noop).toBe(false);
    expect(adopting.copy).toEqual([]);
    expect(adopting.deleteLater).toEqual(['legacy/app.js', 'photos/cat.jpg']);
  });
});
