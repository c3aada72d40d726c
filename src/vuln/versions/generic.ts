import type { VersionScheme } from '../types.ts';
import { comparePrerelease } from './semver.ts';
import { compareDigits, invalidVersion } from './util.ts';

/**
 * The named fuzzy fallback for ecosystems without a scheme of their own (grype's
 * `fuzzy_version.go` plays the same role). It promises a sensible order, not any tool's order:
 *
 * 1. When both sides look like SemVer with one to three numbers (`v` optional, missing numbers
 *    are 0), SemVer precedence decides.
 * 2. Otherwise both are split into runs of digits and runs of letters (anything else separates):
 *    numbers compare numerically, words case-insensitively, a number beats a word. When one side
 *    runs out, trailing zeros do not count, a following pre-release word (`alpha`, `beta`, `rc`,
 *    `dev`, `snapshot`, ...) makes the longer one older and anything else (`1.1.1w`, `2024a`) newer.
 */

const LOOSE_SEMVER =
  /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;
/** Single letters are not here: for C libraries and data (`1.1.1w`, `2024a`) they mark later releases. */
const PRERELEASE_WORDS = new Set([
  'alpha',
  'beta',
  'cr',
  'dev',
  'ea',
  'milestone',
  'pre',
  'preview',
  'rc',
  'snapshot',
]);

function isValid(version: string): boolean {
  return version.trim() !== '' && !/\s/.test(version) && /\d/.test(version);
}

function tokens(version: string): string[] {
  return (version.replace(/^[vV](?=\d)/, '').match(/\d+|[A-Za-z]+/g) ?? []).map((t) => t.toLowerCase());
}

const isNum = (t: string): boolean => t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57;

function compareTokens(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) {
      const rest = (x ?? y)!;
      if (isNum(rest) && /^0+$/.test(rest)) continue;
      const longerIsNewer = isNum(rest) || !PRERELEASE_WORDS.has(rest);
      const aIsLonger = y === undefined;
      return longerIsNewer === aIsLonger ? 1 : -1;
    }
    const xn = isNum(x);
    const yn = isNum(y);
    if (xn && yn) {
      const r = compareDigits(x, y);
      if (r !== 0) return r;
    } else if (xn !== yn) {
      return xn ? 1 : -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export function compareGeneric(a: string, b: string): number {
  if (!isValid(a)) throw invalidVersion('generic', a, 'empty, contains white space or has no digit');
  if (!isValid(b)) throw invalidVersion('generic', b, 'empty, contains white space or has no digit');
  const sa = LOOSE_SEMVER.exec(a);
  const sb = LOOSE_SEMVER.exec(b);
  if (sa && sb) {
    for (let i = 1; i <= 3; i++) {
      const r = compareDigits(sa[i] ?? '0', sb[i] ?? '0');
      if (r !== 0) return r;
    }
    return comparePrerelease(sa[4]?.split('.') ?? [], sb[4]?.split('.') ?? []);
  }
  return compareTokens(tokens(a), tokens(b));
}

export const generic: VersionScheme = {
  id: 'generic',
  valid: isValid,
  compare: compareGeneric,
};
