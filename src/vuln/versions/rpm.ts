import type { VersionScheme } from '../types.ts';
import { compareDigits, invalidVersion, isAsciiAlpha, isAsciiDigit, memoize } from './util.ts';

/**
 * RPM `[epoch:]version[-release]`, ordered like rpm 4.18's `rpmverCmp` (lib/rpmver.c, what
 * `rpm.vercmp()` in Lua and `rpmdev-vercmp` use) on top of `rpmvercmp` (rpmio/rpmvercmp.c).
 *
 * rpm itself accepts any non-empty string. Here a version must also be free of white space and
 * control characters and its version part must hold a letter or digit, so that an SBOM field
 * holding garbage is reported instead of silently ordered.
 */
export interface RpmVersion {
  /** Absent epoch compares as "0" (`rpmverCmp` substitutes it). */
  epoch: string | undefined;
  version: string;
  /** Absent release sorts before any present one (`compare_values`). */
  release: string | undefined;
}

/** rpm's parseEVR: the epoch is the leading digits when a colon follows them; release after the last `-`. */
function split(evr: string): RpmVersion {
  let k = 0;
  while (k < evr.length && isAsciiDigit(evr.charCodeAt(k))) k++;
  const dash = evr.lastIndexOf('-');
  const hasEpoch = evr[k] === ':';
  const versionStart = hasEpoch ? k + 1 : 0;
  const hasRelease = dash >= versionStart;
  return {
    epoch: hasEpoch ? evr.slice(0, k) || '0' : undefined,
    version: evr.slice(versionStart, hasRelease ? dash : evr.length),
    release: hasRelease ? evr.slice(dash + 1) : undefined,
  };
}

function problem(evr: string): string | undefined {
  if (evr === '') return 'version string is empty';
  for (let i = 0; i < evr.length; i++) {
    const c = evr.charCodeAt(i);
    if (c <= 32 || c === 127) return 'white space or control character in version';
  }
  if (!/[A-Za-z0-9]/.test(split(evr).version)) return 'version part has no letter or digit';
  return undefined;
}

/** The parsed version, or why it is refused. Memoized (util.ts `memoize`): never mutate the result. */
const tryParse = memoize((evr: string): RpmVersion | string => problem(evr) ?? split(evr));

export function parseRpm(evr: string): RpmVersion {
  const parsed = tryParse(evr);
  if (typeof parsed === 'string') throw invalidVersion('rpm', evr, parsed);
  return parsed;
}

function isAlnum(c: number): boolean {
  return isAsciiDigit(c) || isAsciiAlpha(c);
}

/** rpmvercmp: alphanumeric segments, numbers beat letters, `~` sorts before and `^` after the end. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  while (one < a.length || two < b.length) {
    while (one < a.length && !isAlnum(a.charCodeAt(one)) && a[one] !== '~' && a[one] !== '^') one++;
    while (two < b.length && !isAlnum(b.charCodeAt(two)) && b[two] !== '~' && b[two] !== '^') two++;

    if (a[one] === '~' || b[two] === '~') {
      if (a[one] !== '~') return 1;
      if (b[two] !== '~') return -1;
      one++;
      two++;
      continue;
    }
    // Caret: like tilde, except that a string which has ended (the base version) is lower.
    if (a[one] === '^' || b[two] === '^') {
      if (one >= a.length) return -1;
      if (two >= b.length) return 1;
      if (a[one] !== '^') return 1;
      if (b[two] !== '^') return -1;
      one++;
      two++;
      continue;
    }
    if (!(one < a.length && two < b.length)) break;

    let end1 = one;
    let end2 = two;
    const isNum = isAsciiDigit(a.charCodeAt(one));
    if (isNum) {
      while (end1 < a.length && isAsciiDigit(a.charCodeAt(end1))) end1++;
      while (end2 < b.length && isAsciiDigit(b.charCodeAt(end2))) end2++;
    } else {
      while (end1 < a.length && isAsciiAlpha(a.charCodeAt(end1))) end1++;
      while (end2 < b.length && isAsciiAlpha(b.charCodeAt(end2))) end2++;
    }
    // Segments of different kinds: the numeric one is newer.
    if (two === end2) return isNum ? 1 : -1;

    const seg1 = a.slice(one, end1);
    const seg2 = b.slice(two, end2);
    const rc = isNum ? compareDigits(seg1, seg2) : seg1 < seg2 ? -1 : seg1 > seg2 ? 1 : 0;
    if (rc) return rc;
    one = end1;
    two = end2;
  }
  if (one >= a.length && two >= b.length) return 0;
  return one >= a.length ? -1 : 1;
}

function compareValues(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return rpmvercmp(a, b);
}

export function compareRpmVersions(a: RpmVersion, b: RpmVersion): number {
  return (
    compareValues(a.epoch ?? '0', b.epoch ?? '0') ||
    compareValues(a.version, b.version) ||
    compareValues(a.release, b.release)
  );
}

export const rpm: VersionScheme = {
  id: 'rpm',
  valid: (version) => typeof tryParse(version) !== 'string',
  compare: (a, b) => compareRpmVersions(parseRpm(a), parseRpm(b)),
};
