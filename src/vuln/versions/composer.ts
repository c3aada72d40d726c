import type { VersionScheme } from '../types.ts';
import { compareDigits, invalidVersion, memoize } from './util.ts';

/**
 * Composer (Packagist) versions: normalised like composer/semver's `VersionParser::normalize`
 * (`v1.2` -> `1.2.0.0`, `1.0.0RC1` -> `1.0.0.0-RC1`, `1.0-dev`, `1.x-dev`, date versions) and then
 * ordered with PHP's `version_compare`, as `Comparator`/`Constraint::versionCompare` do. That gives
 * the stability order dev < alpha < beta < RC < stable < patch. Branch names (`dev-main`) are not
 * ordered by Composer and are rejected here.
 */

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i');
const STABILITY_FLAG = /@(?:stable|RC|beta|alpha|dev)$/i;
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;

function expandStability(s: string): string {
  switch (s.toLowerCase()) {
    case 'a':
      return 'alpha';
    case 'b':
      return 'beta';
    case 'p':
    case 'pl':
      return 'patch';
    case 'rc':
      return 'RC';
    default:
      return s.toLowerCase();
  }
}

function normalizeBranch(name: string): string {
  const m = BRANCH.exec(name.trim());
  if (!m) return `dev-${name}`;
  let version = '';
  for (let i = 1; i < 5; i++) version += m[i] !== undefined ? m[i]!.replace(/[*X]/g, 'x') : '.x';
  return `${version.replaceAll('x', '9999999')}-dev`;
}

/** VersionParser::normalize; returns undefined where Composer throws UnexpectedValueException. */
export const normalizeComposer: (input: string) => string | undefined = memoize(normalize);

function normalize(input: string): string | undefined {
  let version = input.trim();
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(version);
  if (alias) version = alias[1]!;
  const flag = STABILITY_FLAG.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') version = `dev-${version}`;
  if (version.toLowerCase().startsWith('dev-')) return `dev-${version.slice(4)}`;
  const build = /^([^,\s+]+)\+[^\s]+$/.exec(version);
  if (build) version = build[1]!;

  let m = CLASSICAL.exec(version);
  let index = 5;
  if (m) {
    version = m[1]! + (m[2] || '.0') + (m[3] || '.0') + (m[4] || '.0');
  } else {
    m = DATE.exec(version);
    index = 2;
    if (m) version = m[1]!.replace(/\D/g, '.');
  }
  if (m) {
    const stability = m[index];
    if (stability) {
      if (stability === 'stable') return version;
      version += `-${expandStability(stability)}${(m[index + 1] ?? '').replace(/^[.-]+/, '')}`;
    }
    if (m[index + 2]) version += '-dev';
    return version;
  }

  const dev = /^(.*?)[.-]?dev$/i.exec(version);
  if (dev) {
    const normalized = normalizeBranch(dev[1]!);
    if (!normalized.includes('dev-')) return normalized;
  }
  return undefined;
}

// PHP's version_compare (ext/standard/versioning.c).

const isDig = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isNdig = (c: string | undefined): boolean => c !== undefined && !isDig(c) && c !== '.';

/** php_canonicalize_version: `-`, `_`, `+` and other non-alphanumerics become `.`; digit/letter changes get a `.`. */
function canonicalize(v: string): string {
  if (v === '') return '';
  let out = v[0]!;
  let lp = v[0]!;
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    const lq = out[out.length - 1];
    if (c === '-' || c === '_' || c === '+') {
      if (lq !== '.') out += '.';
    } else if ((isNdig(lp) && isDig(c)) || (isDig(lp) && isNdig(c))) {
      if (lq !== '.') out += '.';
      out += c;
    } else if (!/[A-Za-z0-9]/.test(c)) {
      if (lq !== '.') out += '.';
    } else {
      out += c;
    }
    lp = c;
  }
  return out;
}

const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialForm(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order;
  return -1;
}

function compareSpecial(a: string, b: string): number {
  return Math.sign(specialForm(a) - specialForm(b));
}

export function phpVersionCompare(v1: string, v2: string): number {
  if (v1 === '' || v2 === '') return v1 === v2 ? 0 : v1 ? 1 : -1;
  const a = v1[0] === '#' ? v1 : canonicalize(v1);
  const b = v2[0] === '#' ? v2 : canonicalize(v2);
  let p1 = 0;
  let p2 = 0;
  let n1: number | undefined = 0;
  let n2: number | undefined = 0;
  let compare = 0;
  while (p1 < a.length && p2 < b.length && n1 !== undefined && n2 !== undefined) {
    const d1 = a.indexOf('.', p1);
    const d2 = b.indexOf('.', p2);
    n1 = d1 === -1 ? undefined : d1;
    n2 = d2 === -1 ? undefined : d2;
    const s1 = a.slice(p1, n1);
    const s2 = b.slice(p2, n2);
    if (isDig(s1[0]) && isDig(s2[0])) compare = compareDigits(s1, s2);
    else if (!isDig(s1[0]) && !isDig(s2[0])) compare = compareSpecial(s1, s2);
    else compare = isDig(s1[0]) ? compareSpecial('#N#', s2) : compareSpecial(s1, '#N#');
    if (compare !== 0) break;
    if (n1 !== undefined) p1 = n1 + 1;
    if (n2 !== undefined) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== undefined) {
      compare = isDig(a[p1]) ? 1 : phpVersionCompare(a.slice(p1), '#N#');
    } else if (n2 !== undefined) {
      compare = isDig(b[p2]) ? -1 : phpVersionCompare('#N#', b.slice(p2));
    }
  }
  return compare;
}

function normalized(version: string): string {
  const n = normalizeComposer(version);
  if (n === undefined) throw invalidVersion('composer', version, 'Composer cannot normalise it');
  if (n.startsWith('dev-')) throw invalidVersion('composer', version, 'a branch name has no version order');
  return n;
}

export const composer: VersionScheme = {
  id: 'composer',
  valid: (version) => {
    const n = normalizeComposer(version);
    return n !== undefined && !n.startsWith('dev-');
  },
  compare: (a, b) => phpVersionCompare(normalized(a), normalized(b)),
};
