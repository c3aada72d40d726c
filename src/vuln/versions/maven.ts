import type { VersionScheme } from '../types.ts';
import { compareDigits, compareStrings, invalidVersion, memoize, sign } from './util.ts';

/**
 * Maven artifact versions, ordered like maven-artifact's `ComparableVersion` (Maven 3.9 / 4:
 * combination items such as `alpha1`, `X-1` read as `X1`, `.X` treated as `-X`, MNG-6964 and
 * MNG-7644 fixes; see https://maven.apache.org/pom.html#version-order-specification).
 *
 * Items: numbers (int / long / big, by digit count, which matters for comparison across kinds),
 * qualifiers (`alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp`,
 * then unknown ones lexically), combinations (`rc1` = qualifier + number) and sub-lists, which
 * begin at a `-` or a digit/letter transition.
 */

type NumKind = 'int' | 'long' | 'big';
type Item =
  | { t: 'num'; kind: NumKind; digits: string }
  | { t: 'str'; value: string }
  | { t: 'comb'; str: StrItem; num: NumItem }
  | ListItem;
type NumItem = Extract<Item, { t: 'num' }>;
type StrItem = Extract<Item, { t: 'str' }>;
interface ListItem {
  t: 'list';
  items: Item[];
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const RELEASE_QUALIFIERS = ['ga', 'final', 'release'];
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));
const ZERO: NumItem = { t: 'num', kind: 'int', digits: '0' };

function numItem(buf: string): NumItem {
  // stripLeadingZeroes keeps an all-zero string whole, so "0000000000" is a long zero.
  const stripped = /^0+$/.test(buf) ? buf : buf.replace(/^0+/, '');
  const kind: NumKind = stripped.length <= 9 ? 'int' : stripped.length <= 18 ? 'long' : 'big';
  return { t: 'num', kind, digits: stripped };
}

function strItem(value: string, followedByDigit: boolean): StrItem {
  if (followedByDigit && value.length === 1) {
    // a1 = alpha-1, b1 = beta-1, m1 = milestone-1
    if (value === 'a') value = 'alpha';
    else if (value === 'b') value = 'beta';
    else if (value === 'm') value = 'milestone';
  }
  return { t: 'str', value: value === 'cr' ? 'rc' : value };
}

function combItem(v: string): Item {
  let index = 0;
  for (let i = 0; i < v.length; i++) {
    if (isDigit(v[i]!)) {
      index = i;
      break;
    }
  }
  return { t: 'comb', str: strItem(v.slice(0, index), true), num: numItem(v.slice(index)) };
}

function parseItem(isCombination: boolean, isDigitRun: boolean, buf: string): Item {
  if (isCombination) return combItem(buf.replaceAll('-', ''));
  if (isDigitRun) return numItem(buf);
  return strItem(buf, false);
}

/** ASCII digits only: Maven 4 stopped treating other Unicode digits as numbers. */
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isNull(item: Item): boolean {
  switch (item.t) {
    case 'num':
      return /^0+$/.test(item.digits);
    case 'str':
      return item.value === '';
    case 'comb':
      return false;
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: ListItem): void {
  const items = list.items;
  for (let i = items.length - 1; i >= 0; i--) {
    if (!isNull(items[i]!)) continue;
    const next = items[i + 1];
    if (i === items.length - 1 || next?.t === 'str') {
      items.splice(i, 1);
    } else if (next?.t === 'list') {
      const first = next.items[0];
      if (first?.t === 'comb' || first?.t === 'str') items.splice(i, 1);
    }
  }
}

function parse(version: string): ListItem {
  const v = version.toLowerCase();
  const root: ListItem = { t: 'list', items: [] };
  let list = root;
  const stack: ListItem[] = [root];
  const push = (): void => {
    const sub: ListItem = { t: 'list', items: [] };
    list.items.push(sub);
    list = sub;
    stack.push(sub);
  };
  let isDigitRun = false;
  let isCombination = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.') {
      list.items.push(i === start ? ZERO : parseItem(isCombination, isDigitRun, v.slice(start, i)));
      isCombination = false;
      start = i + 1;
    } else if (c === '-') {
      if (i === start) {
        list.items.push(ZERO);
      } else {
        // X-1 is read as X1
        if (!isDigitRun && i !== v.length - 1 && isDigit(v[i + 1]!)) {
          isCombination = true;
          continue;
        }
        list.items.push(parseItem(isCombination, isDigitRun, v.slice(start, i)));
      }
      start = i + 1;
      if (list.items.length > 0) push();
      isCombination = false;
    } else if (isDigit(c)) {
      if (!isDigitRun && i > start) {
        // X1
        isCombination = true;
        if (list.items.length > 0) push();
      }
      isDigitRun = true;
    } else {
      if (isDigitRun && i > start) {
        list.items.push(parseItem(isCombination, true, v.slice(start, i)));
        start = i;
        push();
        isCombination = false;
      }
      isDigitRun = false;
    }
  }
  if (v.length > start) {
    // 1.0.0.X1 < 1.0.0-X2: a trailing ".X" is treated as "-X"
    if (!isDigitRun && list.items.length > 0) push();
    list.items.push(parseItem(isCombination, isDigitRun, v.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

/** ComparableVersion's parse. Memoized (util.ts `memoize`): the result is shared, never mutate it. */
export const parseMaven: (version: string) => ListItem = memoize(parse);

const NUM_KIND_RANK: Record<NumKind, number> = { int: 0, long: 1, big: 2 };

function comparableQualifier(q: string): string {
  if (RELEASE_QUALIFIERS.includes(q)) return RELEASE_INDEX;
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

/** `Item.compareTo(other)`; `undefined` is Java's null (the shorter list's padding). */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.t) {
    case 'num':
      if (b === undefined) return isNull(a) ? 0 : 1;
      if (b.t === 'num') {
        // Maven compares int/long/big items by kind first; with leading zeros stripped that only
        // differs from numeric order for all-zero strings of 10+ digits.
        if (a.kind !== b.kind) return NUM_KIND_RANK[a.kind] < NUM_KIND_RANK[b.kind] ? -1 : 1;
        return compareDigits(a.digits, b.digits);
      }
      return 1; // 1.1 > 1-sp, 1.1 > 1-1
    case 'str':
      if (b === undefined) return sign(compareStrings(comparableQualifier(a.value), RELEASE_INDEX));
      if (b.t === 'str') return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
      if (b.t === 'comb') return compareItem(a, b.str) || -1;
      return -1; // 1.any < 1.1, 1.any < 1-1
    case 'comb':
      if (b === undefined) return compareItem(a.str, undefined);
      if (b.t === 'str') return compareItem(a.str, b) || 1; // X1 > X
      if (b.t === 'comb') return compareItem(a.str, b.str) || compareItem(a.num, b.num);
      return -1;
    case 'list':
      if (b === undefined) {
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.t === 'num') return -1; // 1-1 < 1.0.x
      if (b.t !== 'list') return 1; // 1-1 > 1-sp
      for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
        const l = a.items[i];
        const r = b.items[i];
        const result =
          l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
        if (result !== 0) return result;
      }
      return 0;
  }
}

function check(version: string): string {
  // ComparableVersion accepts anything; empty strings and white space are not versions we can vouch for.
  if (version.trim() === '' || /\s/.test(version)) {
    throw invalidVersion('maven', version, 'empty or contains white space');
  }
  return version;
}

export function compareMavenVersions(a: string, b: string): number {
  return compareItem(parseMaven(check(a)), parseMaven(check(b)));
}

export const maven: VersionScheme = {
  id: 'maven',
  valid: (version) => version.trim() !== '' && !/\s/.test(version),
  compare: compareMavenVersions,
};
