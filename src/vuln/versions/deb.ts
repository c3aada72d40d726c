import type { VersionScheme } from '../types.ts';
import { invalidVersion, isAsciiAlpha, isAsciiDigit, memoize, sign } from './util.ts';

/**
 * Debian package versions, `[epoch:]upstream[-revision]`, ordered exactly like dpkg
 * (lib/dpkg/version.c `dpkg_version_compare` and lib/dpkg/parsehelp.c `parseversion`).
 *
 * Validity is dpkg's parser minus its leniency: strings dpkg only *warns* about (upstream not
 * starting with a digit, characters outside the allowed sets) are rejected here too, because
 * Debian never publishes them and accepting them would hide garbage coming from an SBOM.
 */
export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const INT_MAX = 2147483647;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** C isspace(), which strtol skips before the epoch digits. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parsed versions, memoized (util.ts `memoize`): matching compares the same few thousand strings
 * (installed versions, advisory events) over and over, and parsing was the largest cost of a scan.
 * Parsed objects are never mutated.
 */
const tryParse: (input: string) => DebVersion | string = memoize(parseUncached);

/** dpkg's parseversion; returns the reason as a string when dpkg would fail or warn. */
function parseUncached(input: string): DebVersion | string {
  let start = 0;
  let end = input.length;
  while (start < end && isBlank(input.charCodeAt(start))) start++;
  while (end > start && isBlank(input.charCodeAt(end - 1))) end--;
  if (start === end) return 'version string is empty';
  const s = input.slice(start, end);
  for (let i = 0; i < s.length; i++) {
    if (isBlank(s.charCodeAt(i))) return 'version string has embedded spaces';
  }

  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    // strtol semantics: leading white space, an optional sign, then digits up to the colon.
    let i = 0;
    while (i < colon && isCSpace(s.charCodeAt(i))) i++;
    let negative = false;
    if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
    const digitsStart = i;
    while (i < s.length && isAsciiDigit(s.charCodeAt(i))) i++;
    if (i === digitsStart) return 'epoch in version is empty';
    if (i !== colon) return 'epoch in version is not number';
    const digits = s.slice(digitsStart, colon).replace(/^0+(?=\d)/, '');
    if (negative && /[1-9]/.test(digits)) return 'epoch in version is negative';
    if (digits.length > 10 || Number(digits) > INT_MAX) return 'epoch in version is too big';
    epoch = negative ? 0 : Number(digits);
    rest = s.slice(colon + 1);
    if (rest === '') return 'nothing after colon in version number';
  }

  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') return 'revision number is empty';
  if (upstream === '') return 'version number is empty';
  if (!isAsciiDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  for (let i = 1; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isAsciiDigit(c) && !isAsciiAlpha(c) && !'.-+~:'.includes(upstream[i] as string)) {
      return 'invalid character in version number';
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isAsciiDigit(c) && !isAsciiAlpha(c) && !'.+~'.includes(revision[i] as string)) {
      return 'invalid character in revision number';
    }
  }
  return { epoch, upstream, revision };
}

export function parseDeb(version: string): DebVersion {
  const parsed = tryParse(version);
  if (typeof parsed === 'string') throw invalidVersion('deb', version, parsed);
  return parsed;
}

/** dpkg's character weight: `~` before everything (even the end), letters before other symbols. */
function order(c: number): number {
  if (isAsciiDigit(c)) return 0;
  if (isAsciiAlpha(c)) return c;
  if (c === 126) return -1;
  if (c) return c + 256;
  return 0;
}

/**
 * `charCodeAt` with -1 (no digit, no letter) past the end. Reading past the end (NaN) would be as
 * correct, but makes optimized code bail out and recompile the first time it happens.
 */
function at(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : -1;
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isAsciiDigit(at(a, i))) || (j < b.length && !isAsciiDigit(at(b, j)))) {
      const ac = order(i < a.length ? at(a, i) : 0);
      const bc = order(j < b.length ? at(b, j) : 0);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (at(a, i) === 48) i++;
    while (at(b, j) === 48) j++;
    while (isAsciiDigit(at(a, i)) && isAsciiDigit(at(b, j))) {
      if (!firstDiff) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isAsciiDigit(at(a, i))) return 1;
    if (isAsciiDigit(at(b, j))) return -1;
    if (firstDiff) return sign(firstDiff);
  }
  return 0;
}

export function compareDebVersions(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

export const deb: VersionScheme = {
  id: 'deb',
  valid: (version) => typeof tryParse(version) !== 'string',
  compare: (a, b) => compareDebVersions(parseDeb(a), parseDeb(b)),
};
