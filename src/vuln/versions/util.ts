import { ErrorCodes, KubeguardError } from '../../common/index.ts';

/**
 * The error every scheme throws for a version it cannot order. The message names the scheme and the
 * version so the matcher can count and report the skipped package or advisory.
 */
export function invalidVersion(scheme: string, version: string, reason: string): KubeguardError {
  // JSON quoting keeps control characters from an SBOM visible and the log line intact.
  return new KubeguardError(
    ErrorCodes.invalidInput,
    `invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`,
    {
      hint: 'the package or advisory with this version is skipped; check where the version string came from',
    },
  );
}

/** -1, 0 or 1. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * Compares two strings of ASCII digits as unbounded non-negative integers (no precision loss, which
 * `Number` would suffer beyond 2^53 and which date-like or pseudo-version components reach).
 */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a.charCodeAt(i) === 48) i++;
  let j = 0;
  while (j < b.length - 1 && b.charCodeAt(j) === 48) j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la < lb ? -1 : 1;
  for (let k = 0; k < la; k++) {
    const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Byte-wise (here: UTF-16 code unit) comparison, like C's strcmp or Ruby's String#<=>. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * A scheme's parser, memoized: matching compares the same few thousand strings (installed versions,
 * advisory events) several times per candidate (validation, event sort, the range walk, fixes), and
 * parsing was most of that. Bounded (cleared when full: no per-hit bookkeeping); what the parser
 * returns is shared between callers, so it must never be mutated. `undefined` results are kept too.
 */
export function memoize<T>(parse: (version: string) => T, max = 50_000): (version: string) => T {
  const cache = new Map<string, T>();
  // The last two inputs, ahead of the map: a range walk compares the installed version with one
  // event version after another, so most calls repeat one of the last two.
  let lastKey: string | undefined;
  let lastValue = undefined as T;
  let prevKey: string | undefined;
  let prevValue = undefined as T;
  return (version) => {
    if (version === lastKey) return lastValue;
    let value: T;
    if (version === prevKey) value = prevValue;
    else {
      const hit = cache.get(version);
      if (hit !== undefined || cache.has(version)) value = hit as T;
      else {
        value = parse(version);
        if (cache.size >= max) cache.clear();
        cache.set(version, value);
      }
    }
    prevKey = lastKey;
    prevValue = lastValue;
    lastKey = version;
    lastValue = value;
    return value;
  };
}

/**
 * Sorts in place, stably, like `Array.prototype.sort` with the same comparator: matching sorts
 * tiny arrays (a range's events, a record's fixes) for every candidate, and the built-in sort
 * allocates work arrays each time. Insertion sort for the small case, the built-in otherwise.
 */
export function sortSmall<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  const n = items.length;
  if (n > 16) return items.sort(compare);
  for (let i = 1; i < n; i++) {
    const item = items[i] as T;
    let j = i - 1;
    // Move only past strictly greater items: equal ones keep their order (stable).
    while (j >= 0 && compare(items[j] as T, item) > 0) {
      items[j + 1] = items[j] as T;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}
