/**
 * Tag listing order, shared by both backends so they page identically: version-aware by name,
 * descending. Digit runs compare as numbers, so `dashboard-deploy-20260101-10` comes before `…-9` and
 * deploy tags list newest first; `v1.10.0` comes before `v1.9.0`.
 */

const TOKEN = /(\d+)|(\D+)/g;

function tokens(name: string): Array<string | bigint> {
  return Array.from(name.matchAll(TOKEN), (match) => (match[1] === undefined ? match[0] : BigInt(match[1])));
}

/** Ascending natural order; ties (`01` vs `1`) fall back to plain string order so the sort is total. */
export function compareTagNames(a: string, b: string): number {
  const left = tokens(a);
  const right = tokens(b);
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const x = left[index]!;
    const y = right[index]!;
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      if (x !== y) return x < y ? -1 : 1;
    } else {
      const sx = String(x);
      const sy = String(y);
      if (sx !== sy) return sx < sy ? -1 : 1;
    }
  }
  if (left.length !== right.length) return left.length - right.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The names on page `page` (1-based) of `perPage`, newest (highest) first. */
export function pageTagNames(names: readonly string[], perPage: number, page: number): string[] {
  const sorted = [...names].sort((a, b) => compareTagNames(b, a));
  const start = (page - 1) * perPage;
  return sorted.slice(start, start + perPage);
}
