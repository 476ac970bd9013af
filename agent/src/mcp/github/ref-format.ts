/**
 * git's reference-name rules (`git help check-ref-format`), as a pure function so the Octokit backend,
 * which has no local git, refuses exactly what git itself would refuse. The integration tests compare
 * it with `git check-ref-format` on the same corpus.
 */

export interface RefFormatOptions {
  /** Accept a name without any `/` (git's `--allow-onelevel`), e.g. a branch name `main`. */
  allowOneLevel?: boolean;
}

export type RefFormatResult = { ok: true } | { ok: false; reason: string };

/** Rule 4, 5 and 10: bytes that may appear nowhere in a reference name. */
function forbiddenCharacter(code: number): string | undefined {
  if (code < 0x20 || code === 0x7f) return 'a control character';
  switch (code) {
    case 0x20:
      return 'a space';
    case 0x7e:
      return "'~'";
    case 0x5e:
      return "'^'";
    case 0x3a:
      return "':'";
    case 0x3f:
      return "'?'";
    case 0x2a:
      return "'*'";
    case 0x5b:
      return "'['";
    case 0x5c:
      return "'\\'";
    default:
      return undefined;
  }
}

function checkComponent(component: string): RefFormatResult {
  // Rule 6: an empty component is a leading, trailing or doubled slash.
  if (component === '')
    return { ok: false, reason: 'it has an empty path component (a leading, trailing or double /)' };
  // Rule 1.
  if (component.startsWith('.')) return { ok: false, reason: `component '${component}' begins with '.'` };
  if (component.endsWith('.lock')) return { ok: false, reason: `component '${component}' ends with '.lock'` };
  return { ok: true };
}

/** Returns whether `refname` is a valid git reference name, and if not, which rule it breaks. */
export function checkRefFormat(refname: string, options: RefFormatOptions = {}): RefFormatResult {
  if (refname === '') return { ok: false, reason: 'it is empty' };
  // Rule 9.
  if (refname === '@') return { ok: false, reason: "it is the single character '@'" };
  for (let index = 0; index < refname.length; index += 1) {
    const what = forbiddenCharacter(refname.charCodeAt(index));
    if (what !== undefined) return { ok: false, reason: `it contains ${what}` };
  }
  // Rule 3 and rule 8.
  if (refname.includes('..')) return { ok: false, reason: "it contains '..'" };
  if (refname.includes('@{')) return { ok: false, reason: "it contains '@{'" };
  // Rule 7.
  if (refname.endsWith('.')) return { ok: false, reason: "it ends with '.'" };
  const components = refname.split('/');
  for (const component of components) {
    const result = checkComponent(component);
    if (!result.ok) return result;
  }
  // Rule 2.
  if (components.length < 2 && options.allowOneLevel !== true) {
    return { ok: false, reason: "it has no '/' (one-level names are not allowed here)" };
  }
  return { ok: true };
}
